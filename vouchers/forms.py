"""Dashboard forms: they parse and check shapes; services decide and write."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from routers.models import Router
from vouchers.codes import MAX_LENGTH, MIN_LENGTH
from vouchers.models import Package, Voucher, VoucherBatch, VoucherSettings
from vouchers.printing import MAX_COLUMNS, MAX_ROWS, PAPERS
from vouchers.validators import rate_limit_error

DURATION_UNITS = [("minutes", _("minutes")), ("hours", _("hours")), ("days", _("days"))]
UNIT_SECONDS = {"minutes": 60, "hours": 3600, "days": 86400}
DATA_UNITS = [("MB", "MB"), ("GB", "GB")]
DATA_FACTOR = {"MB": 10**6, "GB": 10**9}


class AmountUnitWidget(forms.MultiWidget):
    """An amount and its unit side by side (styled by vouchers.css)."""

    def __init__(self, units, attrs=None):
        super().__init__(
            [
                forms.NumberInput(
                    attrs={"min": "0", "step": "1", "inputmode": "numeric", "class": "amount"}
                ),
                forms.Select(choices=units, attrs={"class": "unit"}),
            ],
            attrs,
        )
        self.default_unit = units[-1][0] if units[-1][0] == "GB" else "hours"

    def decompress(self, value):
        if value is None:
            return [None, self.default_unit]
        if isinstance(value, timedelta):
            return DurationPartsField.split(value)
        if isinstance(value, int):
            return DataAmountField.split(value)
        return list(value)


class DurationPartsField(forms.MultiValueField):
    """A duration typed as an amount and a unit (``1`` ``days``)."""

    def __init__(self, *, required=False, **kwargs):
        super().__init__(
            fields=[
                forms.IntegerField(min_value=1, max_value=100_000, required=False),
                forms.ChoiceField(choices=DURATION_UNITS, required=False),
            ],
            require_all_fields=False,
            required=required,
            widget=AmountUnitWidget(DURATION_UNITS),
            **kwargs,
        )

    def compress(self, values):
        if not values or values[0] in (None, ""):
            if self.required:
                raise forms.ValidationError(_("Enter how long."))
            return None
        amount, unit = values
        return timedelta(seconds=amount * UNIT_SECONDS[unit or "hours"])

    @staticmethod
    def split(value: timedelta | None):
        if value is None:
            return [None, "hours"]
        seconds = int(value.total_seconds())
        for unit in ("days", "hours", "minutes"):
            if seconds % UNIT_SECONDS[unit] == 0:
                return [seconds // UNIT_SECONDS[unit], unit]
        return [seconds // 60, "minutes"]


class DataAmountField(forms.MultiValueField):
    def __init__(self, **kwargs):
        super().__init__(
            fields=[
                forms.DecimalField(
                    min_value=Decimal("0.001"), max_digits=12, decimal_places=3, required=False
                ),
                forms.ChoiceField(choices=DATA_UNITS, required=False),
            ],
            require_all_fields=False,
            required=False,
            widget=AmountUnitWidget(DATA_UNITS),
            **kwargs,
        )
        self.widget.widgets[0].attrs["step"] = "any"

    def compress(self, values):
        if not values or values[0] in (None, ""):
            return None
        amount, unit = values
        return int(amount * DATA_FACTOR[unit or "GB"])

    @staticmethod
    def split(value: int | None):
        if value is None:
            return [None, "GB"]
        if value % 10**9 == 0 or value >= 10**9:
            return [Decimal(value) / 10**9, "GB"]
        return [Decimal(value) / 10**6, "MB"]


class RouterChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.get_status_display().lower()})"


class PackageForm(forms.Form):
    name = forms.CharField(max_length=80)
    description = forms.CharField(
        max_length=200, required=False, help_text=_("One line for the landing page.")
    )
    price = forms.DecimalField(min_value=0, max_digits=12, decimal_places=2)
    validity = DurationPartsField(
        label=_("Validity"),
        help_text=_("Counted from the first login. Leave empty for no time limit."),
    )
    time_limit = DurationPartsField(
        label=_("Online time limit"),
        help_text=_("Total time online allowed (RouterOS limit-uptime). Optional."),
    )
    data_limit_bytes = DataAmountField(
        label=_("Data limit"),
        help_text=_("Download and upload together (limit-bytes-total). Optional."),
    )
    rate_limit = forms.CharField(
        label=_("Speed limit (upload/download)"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "2M/5M", "autocomplete": "off"}),
        help_text=_(
            "As RouterOS writes it: 2M/5M = 2 Mbit/s up, 5 Mbit/s down. Empty: full speed."
        ),
    )
    shared_users = forms.IntegerField(
        label=_("Devices at once"), min_value=1, max_value=100, initial=1
    )
    is_active = forms.BooleanField(
        label=_("Active (can be sold and redeemed)"), required=False, initial=True
    )
    sold_on_landing_page = forms.BooleanField(
        label=_("Sell it on the landing page"), required=False
    )
    allows_stacking = forms.BooleanField(
        label=_("Can be added on top of time left"),
        required=False,
        help_text=_("Customers with time left can redeem it and the time and data add up."),
    )
    on_all_routers = forms.BooleanField(
        label=_("Offer on every router"), required=False, initial=True
    )
    routers = RouterChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Routers that offer it"),
        help_text=_("Used when it is not offered on every router."),
    )

    def __init__(self, *args, package: Package | None = None, **kwargs):
        if package is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": package.name,
                "description": package.description,
                "price": package.price,
                "validity": DurationPartsField.split(package.validity),
                "time_limit": DurationPartsField.split(package.time_limit),
                "data_limit_bytes": DataAmountField.split(package.data_limit_bytes),
                "rate_limit": package.rate_limit,
                "shared_users": package.shared_users,
                "is_active": package.is_active,
                "sold_on_landing_page": package.sold_on_landing_page,
                "allows_stacking": package.allows_stacking,
                "on_all_routers": package.on_all_routers,
                "routers": list(package.routers.values_list("pk", flat=True)),
            }
        super().__init__(*args, **kwargs)
        self.fields["routers"].queryset = Router.objects.order_by("name")

    def clean_rate_limit(self):
        value = " ".join(self.cleaned_data.get("rate_limit", "").split())
        error = rate_limit_error(value)
        if error:
            raise forms.ValidationError(error)
        return value

    def clean(self):
        data = super().clean()
        if not data.get("on_all_routers") and not data.get("routers"):
            self.add_error("routers", _("Choose the routers that offer it, or offer it on all."))
        return data

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        routers = list(data.pop("routers", []) or [])
        return {"routers": routers, **data}


class BatchForm(forms.Form):
    package = forms.ModelChoiceField(queryset=None, empty_label=None)
    quantity = forms.IntegerField(min_value=1, max_value=100_000, initial=50)
    prefix = forms.CharField(
        max_length=8,
        required=False,
        help_text=_("Optional, e.g. NET → NET-7K4M-Q9RT. Capital letters and digits."),
    )
    code_length = forms.IntegerField(
        label=_("Random characters"), min_value=MIN_LENGTH, max_value=MAX_LENGTH, initial=8
    )
    group_size = forms.TypedChoiceField(
        label=_("Grouping"),
        coerce=int,
        choices=[
            (4, _("Groups of 4 (7K4M-Q9RT)")),
            (3, _("Groups of 3")),
            (5, _("Groups of 5")),
            (0, _("No grouping")),
        ],
        initial=4,
    )
    alphabet = forms.ChoiceField(choices=VoucherBatch.Alphabet.choices, initial="mixed")
    pin_length = forms.TypedChoiceField(
        label=_("PIN"),
        coerce=int,
        choices=[
            (0, _("No PIN (the code is the password)")),
            (4, _("4 digits")),
            (6, _("6 digits")),
            (8, _("8 digits")),
        ],
        initial=0,
    )
    expires_on = forms.DateField(
        label=_("Unsold vouchers expire on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Optional. Codes not redeemed by the end of that day stop working."),
    )
    note = forms.CharField(max_length=200, required=False)
    qr_url_template = forms.CharField(
        label=_("QR code link (advanced)"),
        max_length=300,
        required=False,
        help_text=_("Empty: your landing page. Use {code} for the voucher code."),
    )

    def __init__(self, *args, organization=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["package"].queryset = Package.objects.filter(is_active=True)

    def clean_prefix(self):
        return self.cleaned_data["prefix"].strip().upper()

    def expires_at(self):
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        zone = timezone.get_current_timezone()
        if self.organization is not None:
            import zoneinfo

            zone = zoneinfo.ZoneInfo(self.organization.time_zone or "UTC")
        return datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


class PrintForm(forms.Form):
    paper = forms.ChoiceField(choices=list(PAPERS.items()), initial="a4")
    columns = forms.IntegerField(min_value=1, max_value=MAX_COLUMNS, initial=3, required=False)
    rows = forms.IntegerField(min_value=1, max_value=MAX_ROWS, initial=8, required=False)
    show_qr = forms.BooleanField(label=_("QR codes"), required=False, initial=True)
    only_unused = forms.BooleanField(label=_("Only unused vouchers"), required=False, initial=True)
    part = forms.IntegerField(min_value=1, required=False, initial=1)


class PushForm(forms.Form):
    routers = RouterChoiceField(queryset=None, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, package: Package, **kwargs):
        super().__init__(*args, **kwargs)
        routers = Router.objects.order_by("name")
        if not package.on_all_routers:
            routers = routers.filter(pk__in=package.routers.values("pk"))
        self.fields["routers"].queryset = routers


class VoucherFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Code"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "NET-7K4M"}),
    )
    status = forms.ChoiceField(
        choices=[("", _("Any status")), *Voucher.Status.choices], required=False
    )
    package = forms.ModelChoiceField(queryset=None, required=False, empty_label=_("Any package"))
    batch = forms.ModelChoiceField(queryset=None, required=False, empty_label=_("Any batch"))
    date_field = forms.ChoiceField(
        choices=[("created", _("Created")), ("sold", _("Sold"))], required=False, label=_("Date")
    )
    date_from = forms.DateField(
        required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label=_("To"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["package"].queryset = Package.objects.order_by("name")
        batch_field = self.fields["batch"]
        batch_field.queryset = VoucherBatch.objects.all()
        # The menu offers recent batches; any batch id still validates.
        recent = list(VoucherBatch.objects.select_related("package").order_by("-pk")[:200])
        chosen = self.data.get("batch") if self.is_bound else None
        if chosen and str(chosen).isdigit() and all(str(b.pk) != chosen for b in recent):
            recent += list(VoucherBatch.objects.select_related("package").filter(pk=chosen))
        batch_field.choices = [("", batch_field.empty_label)] + [
            (batch.pk, f"#{batch.pk} · {batch.package.name}") for batch in recent
        ]


class StaffRedeemForm(forms.Form):
    router = forms.ModelChoiceField(
        queryset=None, empty_label=None, help_text=_("The router the customer is connected to.")
    )
    mac = forms.CharField(
        label=_("Device MAC address"),
        required=False,
        max_length=17,
        help_text=_("Optional: logs that device in straight away."),
    )
    ip = forms.GenericIPAddressField(label=_("Device IP address"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["router"].queryset = Router.objects.order_by("name")


class VoucherSettingsForm(forms.ModelForm):
    class Meta:
        model = VoucherSettings
        fields = [
            "qr_url_template",
            "card_footer",
            "logo",
            "code_prefix",
            "code_length",
            "group_size",
            "alphabet",
        ]
        labels = {
            "code_prefix": _("Prefix of paid vouchers"),
            "code_length": _("Random characters of paid vouchers"),
        }
        widgets = {
            "alphabet": forms.Select(choices=VoucherBatch.Alphabet.choices),
            "group_size": forms.Select(choices=[(4, "4"), (3, "3"), (5, "5"), (0, _("none"))]),
        }

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and hasattr(logo, "size") and logo.size > 512 * 1024:
            raise forms.ValidationError(_("Use a logo under 512 KB."))
        return logo

    def clean_code_prefix(self):
        return self.cleaned_data["code_prefix"].strip().upper()
