from django import forms
from django.utils.translation import gettext_lazy as _

from integrations.events import event_choices
from integrations.scopes import scope_choices


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=80,
        help_text=_("Which integration uses it, e.g. “Accounting sync”."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=scope_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Write includes read. The token can never do more than your own role allows."),
    )
    expires_at = forms.DateTimeField(
        label=_("Expires"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Optional. Leave empty for a token that lasts until revoked."),
    )


class WebhookEndpointForm(forms.Form):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    description = forms.CharField(label=_("Description"), max_length=120, required=False)
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=event_choices, widget=forms.CheckboxSelectMultiple
    )
    scopes = forms.MultipleChoiceField(
        label=_("Granted scopes"),
        choices=scope_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The endpoint only receives events of areas you grant here."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
