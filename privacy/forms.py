from django import forms
from django.utils.translation import gettext_lazy as _

from privacy.models import AccessLog, MinorDataReport, PrivacyRequest
from privacy.models.consent import MARKETING_TOPICS, Topic


class DeletionRequestForm(forms.Form):
    confirm_name = forms.CharField(
        label=_("Type the organisation's name to confirm"), max_length=120
    )


class PrivacyRequestForm(forms.Form):
    """A request recorded by the operator's staff (phone call, letter, email)."""

    kind = forms.ChoiceField(label=_("What is asked"), choices=PrivacyRequest.Kind.choices)
    requester_name = forms.CharField(label=_("Name"), max_length=120)
    requester_email = forms.EmailField(label=_("Email"), required=False)
    requester_phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    message = forms.CharField(
        label=_("Details"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
    )
    received_on = forms.DateField(
        label=_("Received on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for today. The 30-day deadline counts from this day."),
    )


class PublicPrivacyRequestForm(forms.Form):
    """What an end customer fills in on the landing page or the public page."""

    kind = forms.ChoiceField(label=_("What would you like?"), choices=PrivacyRequest.Kind.choices)
    requester_name = forms.CharField(label=_("Your name"), max_length=120)
    requester_email = forms.EmailField(label=_("Your email"), required=False)
    requester_phone = forms.CharField(
        label=_("Or your phone number"),
        max_length=32,
        required=False,
        help_text=_("The operator uses this to answer you and to find your records."),
    )
    message = forms.CharField(
        label=_("Anything that helps find your data"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
        help_text=_("For example the voucher code or the username you use on the Wi-Fi."),
    )
    website = forms.CharField(required=False, widget=forms.HiddenInput)  # bots fill this

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("requester_email") and not cleaned.get("requester_phone"):
            self.add_error(
                "requester_email", _("Give an email address or a phone number so we can answer.")
            )
        return cleaned


class PrivacyRequestCloseForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Result"),
        choices=[
            (PrivacyRequest.Status.COMPLETED, _("Completed")),
            (PrivacyRequest.Status.REJECTED, _("Rejected")),
        ],
    )
    outcome = forms.CharField(
        label=_("Outcome"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What you did, or why you refused. Kept as the record of the answer."),
    )


class LinkCustomerForm(forms.Form):
    customer_id = forms.IntegerField(label=_("Customer number"), min_value=1)


class MarketingPreferencesForm(forms.Form):
    """Unticked unless the user ticked them before: consent is never assumed."""

    def __init__(self, *args, choices: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = choices or {}
        for topic in MARKETING_TOPICS:
            self.fields[topic] = forms.BooleanField(
                label=Topic(topic).label, required=False, initial=bool(choices.get(topic))
            )


class CookieChoiceForm(forms.Form):
    choice = forms.ChoiceField(
        choices=[
            ("essential", _("Essential cookies only")),
            ("analytics", _("Essential and analytics cookies")),
        ],
        widget=forms.RadioSelect,
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class MinorReportForm(forms.Form):
    reporter_name = forms.CharField(label=_("Your name"), max_length=120)
    reporter_email = forms.EmailField(
        label=_("Your email"), help_text=_("We write to you when we have acted.")
    )
    concerns = forms.ChoiceField(
        label=_("Where is the data?"), choices=MinorDataReport.Concerns.choices
    )
    where = forms.CharField(
        label=_("Which account, operator or Wi-Fi network?"), max_length=200, required=False
    )
    details = forms.CharField(
        label=_("What should we know?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        help_text=_("Please do not send documents or photos of the child."),
    )
    website = forms.CharField(required=False, widget=forms.HiddenInput)


class AccessLogFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[("", _("Any")), *list(AccessLog.Action.choices)],
        required=False,
    )
    via = forms.ChoiceField(
        label=_("Through"),
        choices=[("", _("Any")), *list(AccessLog.Via.choices)],
        required=False,
    )
    target_type = forms.ChoiceField(
        label=_("Record type"), choices=[("", _("Any"))], required=False
    )
    actor = forms.CharField(label=_("Who"), required=False, max_length=120)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, target_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_type"].choices = [("", _("Any"))] + [(t, t) for t in target_types]
