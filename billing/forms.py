"""Forms parse and check input; the services decide and write."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import CURRENCY_CHOICES
from billing.models import BillingSettings, Invoice, Payment, ProcessorAccount, Subscription
from customers.models import Customer

SECRET_HELP = _("Stored encrypted and never shown again. Leave empty to keep the saved value.")


def _secret(label):
    return forms.CharField(
        label=label,
        required=False,
        max_length=300,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=SECRET_HELP,
    )


class CustomerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class MpesaAccountForm(forms.ModelForm):
    consumer_key = _secret(_("Consumer key"))
    consumer_secret = _secret(_("Consumer secret"))
    passkey = _secret(_("Lipa na M-Pesa pass key"))

    class Meta:
        model = ProcessorAccount
        fields = [
            "environment",
            "transaction_type",
            "shortcode",
            "till_number",
            "confirm_with_query",
            "is_enabled",
        ]

    SECRET_FIELDS = ("consumer_key", "consumer_secret", "passkey")


class PaystackAccountForm(forms.ModelForm):
    secret_key = _secret(_("Secret key"))

    class Meta:
        model = ProcessorAccount
        fields = ["environment", "public_key", "is_enabled"]

    SECRET_FIELDS = ("secret_key",)


class PaymentFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *Payment.Status.choices]
    )
    processor = forms.ChoiceField(
        label=_("Method"), required=False, choices=[("", _("All")), *Payment.Processor.choices]
    )


class ManualPaymentForm(forms.Form):
    processor = forms.ChoiceField(
        label=_("Method"),
        choices=[
            (Payment.Processor.CASH, _("Cash")),
            (Payment.Processor.BANK_TRANSFER, _("Bank transfer")),
        ],
    )
    amount = forms.DecimalField(label=_("Amount"), min_value=0, max_digits=12, decimal_places=2)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    reference = forms.CharField(
        label=_("Reference"),
        max_length=100,
        help_text=_(
            "The bank's reference, or your receipt-book number for cash. A bank reference "
            "that names an invoice (e.g. INV-000123) is matched to it."
        ),
    )
    paid_at = forms.DateTimeField(
        label=_("Received at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Leave empty for now."),
    )
    customer = CustomerChoiceField(
        label=_("Customer"), queryset=Customer._base_manager.none(), required=False
    )
    invoice = forms.ModelChoiceField(
        label=_("Pays invoice"), queryset=Invoice._base_manager.none(), required=False
    )
    as_credit = forms.BooleanField(label=_("Add to the customer's account credit"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, organization=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.order_by("name")
        self.fields["invoice"].queryset = Invoice.objects.filter(
            status=Invoice.Status.OPEN
        ).order_by("-issued_on")
        if organization is not None:
            self.fields["currency"].initial = organization.currency

    def clean_paid_at(self):
        value = self.cleaned_data.get("paid_at")
        if value and value > timezone.now():
            raise forms.ValidationError(_("The payment date cannot be in the future."))
        return value


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (Payment.Status.PAID, _("Money received: mark paid")),
            (Payment.Status.FAILED, _("No money: mark failed")),
        ],
        widget=forms.RadioSelect,
    )
    receipt = forms.CharField(
        label=_("Processor receipt"),
        required=False,
        max_length=100,
        help_text=_("The M-Pesa receipt or Paystack reference from your statement."),
    )
    note = forms.CharField(label=_("What did you check?"), max_length=250)


class RefundForm(forms.Form):
    note = forms.CharField(
        label=_("How was the money returned?"),
        max_length=250,
        help_text=_("E.g. M-Pesa reversal QK12AB34CD on 3 March."),
    )


class SubscriptionForm(forms.Form):
    customer = CustomerChoiceField(
        label=_("PPPoE customer"), queryset=Customer._base_manager.none()
    )
    description = forms.CharField(label=_("Plan"), max_length=120)
    amount = forms.DecimalField(
        label=_("Monthly price"), min_value=0, max_digits=12, decimal_places=2
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    starts_on = forms.DateField(
        label=_("First period starts"), widget=forms.DateInput(attrs={"type": "date"})
    )
    billing_day = forms.IntegerField(
        label=_("Billing day"),
        min_value=1,
        max_value=28,
        required=False,
        help_text=_("Day of the month invoices are issued (1–28). Empty: the start day."),
    )

    def __init__(self, *args, organization=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.filter(
            customer_type=Customer.Type.PPPOE
        ).order_by("name")
        if organization is not None:
            self.fields["currency"].initial = organization.currency
        self.fields["starts_on"].initial = timezone.localdate()

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and not data.get("billing_day"):
            data["billing_day"] = min(data["starts_on"].day, 28)
        return data


class SubscriptionStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Subscription.Status.choices)


class InvoiceForm(forms.Form):
    customer = CustomerChoiceField(label=_("Customer"), queryset=Customer._base_manager.none())
    description = forms.CharField(label=_("Description"), max_length=200)
    amount = forms.DecimalField(label=_("Amount"), min_value=0, max_digits=12, decimal_places=2)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    due_on = forms.DateField(
        label=_("Due on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: after the usual number of days."),
    )

    def __init__(self, *args, organization=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.order_by("name")
        if organization is not None:
            self.fields["currency"].initial = organization.currency

    def clean_due_on(self):
        value = self.cleaned_data.get("due_on")
        if value and value < timezone.localdate():
            raise forms.ValidationError(_("The due date cannot be in the past."))
        return value


class BillingSettingsForm(forms.ModelForm):
    class Meta:
        model = BillingSettings
        fields = [
            "invoice_due_days",
            "grace_days",
            "reminder_days_before_due",
            "send_receipts",
            "receipt_note",
        ]


class RevenueFilterForm(forms.Form):
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    currency = forms.ChoiceField(required=False, choices=[("", "—"), *CURRENCY_CHOICES])

    def period(self) -> tuple[dt.date, dt.date, str]:
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        end = data.get("end") or today
        start = data.get("start") or end - dt.timedelta(days=29)
        return start, end, data.get("currency") or ""
