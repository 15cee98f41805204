"""Forms parse and check input; the services decide and write."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from customers import validation
from customers.models import Customer, CustomerImport
from customers.selectors import (
    DEFAULT_PER_PAGE,
    DEFAULT_SORT,
    PER_PAGE_CHOICES,
    CustomerFilters,
)

SORT_CHOICES = [
    ("-created", _("Newest first")),
    ("created", _("Oldest first")),
    ("name", _("Name A to Z")),
    ("-name", _("Name Z to A")),
]


class CustomerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=validation.NAME_MAX)
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        help_text=_("Any common format; numbers without a country code are read as local."),
    )
    email = forms.CharField(
        label=_("Email"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    customer_type = forms.ChoiceField(label=_("Type"), choices=Customer.Type.choices)
    address = forms.CharField(label=_("Address"), required=False, max_length=300)
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=400,
        help_text=_("Separate tags with commas, e.g. vip, estate-7."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    marketing_consent = forms.BooleanField(
        label=_("The customer agreed to receive marketing messages"),
        required=False,
        initial=False,
        help_text=_("Tick only when the customer said yes. It is never assumed."),
    )

    def __init__(self, *args, region=None, **kwargs):
        self.region = region
        super().__init__(*args, **kwargs)
        self.fields["marketing_consent"].initial = self.initial.get("marketing_consent", False)

    def clean_name(self):
        return validation.clean_name(self.cleaned_data["name"])

    def clean_phone(self):
        return validation.clean_phone(self.cleaned_data["phone"], self.region)

    def clean_email(self):
        return validation.clean_email(self.cleaned_data["email"])

    def clean_tags(self):
        return validation.split_tags(self.cleaned_data["tags"])


class CustomerFilterForm(forms.Form):
    """The list's query string. Unknown or bad values are ignored, never an error page."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *Customer.Type.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *Customer.Status.choices],
    )
    tag = forms.TypedChoiceField(label=_("Tag"), required=False, coerce=int, empty_value=None)
    profile = forms.ChoiceField(label=_("Package"), required=False)
    router = forms.TypedChoiceField(label=_("Router"), required=False, coerce=int, empty_value=None)
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORT_CHOICES)
    per_page = forms.TypedChoiceField(
        label=_("Per page"),
        required=False,
        coerce=int,
        empty_value=DEFAULT_PER_PAGE,
        choices=[(n, n) for n in PER_PAGE_CHOICES],
    )

    def __init__(self, data=None, *, tags=(), profiles=(), routers=()):
        if data is not None:
            data = data.copy()  # show the defaults as selected when the URL leaves them out
            data.setdefault("per_page", str(DEFAULT_PER_PAGE))
            data.setdefault("sort", DEFAULT_SORT)
        super().__init__(data)
        self.fields["tag"].choices = [("", _("All tags")), *[(t.pk, t.name) for t in tags]]
        self.fields["profile"].choices = [("", _("All packages")), *[(p, p) for p in profiles]]
        self.fields["router"].choices = [("", _("All routers")), *[(r.pk, r.name) for r in routers]]

    def filters(self) -> CustomerFilters:
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return CustomerFilters(
            q=(data.get("q") or "").strip(),
            customer_type=data.get("type") or "",
            status=data.get("status") or "",
            tag_id=data.get("tag"),
            profile=data.get("profile") or "",
            router_id=data.get("router"),
            sort=data.get("sort") or DEFAULT_SORT,
        )

    def page_size(self) -> int:
        self.is_valid()
        if "per_page" in self.errors:
            return DEFAULT_PER_PAGE
        return self.cleaned_data.get("per_page") or DEFAULT_PER_PAGE


class BulkActionForm(forms.Form):
    ACTIONS = [
        ("suspend", _("Suspend")),
        ("reactivate", _("Reactivate")),
        ("close", _("Close")),
        ("tag", _("Add tag")),
        ("untag", _("Remove tag")),
    ]
    action = forms.ChoiceField(choices=ACTIONS)
    ids = forms.CharField(widget=forms.MultipleHiddenInput)
    tag = forms.CharField(required=False, max_length=validation.TAG_MAX)
    confirmed = forms.BooleanField(required=False)

    def __init__(self, data=None, **kwargs):
        if data is not None and hasattr(data, "getlist"):
            data = data.copy()
            data.setlist("ids", data.getlist("ids"))
        super().__init__(data, **kwargs)

    def clean_ids(self):
        raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        try:
            ids = sorted({int(value) for value in raw})
        except (TypeError, ValueError):
            raise ValidationError(_("The selection is not valid.")) from None
        if not ids:
            raise ValidationError(_("Select at least one customer."))
        if len(ids) > max(PER_PAGE_CHOICES):
            raise ValidationError(
                _("Select at most %(n)s customers at once.") % {"n": max(PER_PAGE_CHOICES)}
            )
        return ids

    def clean(self):
        data = super().clean()
        if data.get("action") in ("tag", "untag"):
            try:
                data["tag"] = validation.clean_tag(data.get("tag", ""))
            except ValidationError as error:
                self.add_error("tag", error)
        return data


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8 CSV with a header row. Columns: name, phone, email, type, status, address, "
            "notes, tags, marketing_consent, pppoe_username, pppoe_password, package, router."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, max_bytes: int, **kwargs):
        self.max_bytes = max_bytes
        super().__init__(*args, **kwargs)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise ValidationError(
                _("The file is larger than %(mb)s MB; split it into smaller files.")
                % {"mb": self.max_bytes // (1024 * 1024)}
            )
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise ValidationError(_("Upload a .csv file."))
        return upload


class ImportConfirmForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("What to import"),
        choices=CustomerImport.Mode.choices,
        widget=forms.RadioSelect,
    )


class DeviceForm(forms.Form):
    mac_address = forms.CharField(label=_("MAC address"), max_length=40)
    label = forms.CharField(label=_("Label"), required=False, max_length=80)

    def clean_mac_address(self):
        return validation.normalize_mac(self.cleaned_data["mac_address"])


class PppoeAccountForm(forms.Form):
    router = forms.TypedChoiceField(label=_("Router"), coerce=int)
    username = forms.CharField(label=_("Username"), max_length=64)
    password = forms.CharField(
        label=_("Password"),
        max_length=64,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    profile = forms.CharField(
        label=_("Package"),
        max_length=64,
        help_text=_("The PPP profile on the router (it carries the speed limit)."),
        widget=forms.TextInput(attrs={"list": "package-choices"}),
    )
    rate_limit = forms.CharField(
        label=_("Rate limit"),
        required=False,
        max_length=40,
        help_text=_("Upload/download as RouterOS writes it, e.g. 2M/5M (for reference)."),
    )
    remote_address = forms.GenericIPAddressField(
        label=_("Static IP address"), protocol="IPv4", required=False
    )

    def __init__(self, *args, routers=(), editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["router"].choices = [(r.pk, r.name) for r in routers]
        if editing:
            self.fields["password"].required = False
            self.fields["password"].help_text = _("Leave empty to keep the current password.")

    def clean_username(self):
        return validation.clean_username(self.cleaned_data["username"])

    def clean_password(self):
        value = self.cleaned_data["password"]
        if not value and not self.fields["password"].required:
            return ""
        return validation.clean_password(value)

    def clean_profile(self):
        return validation.clean_profile(self.cleaned_data["profile"])

    def clean_rate_limit(self):
        return validation.clean_rate_limit(self.cleaned_data["rate_limit"])


__all__ = [
    "DEFAULT_SORT",
    "BulkActionForm",
    "CustomerFilterForm",
    "CustomerForm",
    "DeviceForm",
    "ImportConfirmForm",
    "ImportUploadForm",
    "PppoeAccountForm",
]
