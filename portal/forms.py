"""Builder forms (dashboard) and the small public forms of the landing page."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from nettportal.phones import normalize_phone
from portal import integrations
from portal.colors import MIN_TEXT_CONTRAST, contrast
from portal.images import MAX_UPLOAD_BYTES
from portal.models import LandingBlock, LandingPage

_HOSTNAME = re.compile(
    r"^(?=.{1,100}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$"
)
IMAGE_ACCEPT = "image/png,image/jpeg,image/gif,image/webp"


class LandingPageForm(forms.ModelForm):
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}),
        help_text=_("PNG, JPEG, GIF or WebP up to %(size)s MB. We shrink it to fit a phone.")
        % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)},
    )
    remove_logo = forms.BooleanField(label=_("Remove the current logo"), required=False)
    terms_url = forms.URLField(
        label=_("Terms of service link"), required=False, assume_scheme="https"
    )
    privacy_url = forms.URLField(
        label=_("Privacy notice link"),
        required=False,
        assume_scheme="https",
        help_text=LandingPage._meta.get_field("privacy_url").help_text,
    )

    class Meta:
        model = LandingPage
        fields = [
            "title",
            "slug",
            "language",
            "welcome_text",
            "color_primary",
            "color_background",
            "color_text",
            "support_phone",
            "support_whatsapp",
            "terms_url",
            "privacy_url",
            "offer_mpesa",
            "offer_paystack",
            "counter_instructions",
            "login_method",
            "hotspot_dns_name",
            "is_published",
        ]
        widgets = {
            "color_primary": forms.TextInput(attrs={"type": "color"}),
            "color_background": forms.TextInput(attrs={"type": "color"}),
            "color_text": forms.TextInput(attrs={"type": "color"}),
            "welcome_text": forms.Textarea(attrs={"rows": 3}),
            "counter_instructions": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, organization=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        if not self.instance.logo_id:
            del self.fields["remove_logo"]
        self.fields["routers"] = forms.ModelMultipleChoiceField(
            label=_("Routers using this page"),
            queryset=integrations.router_choices(),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text=_("A router uses one landing page; ticking it here moves it from another."),
        )
        self.fields["packages"] = forms.ModelMultipleChoiceField(
            label=_("Packages sold on this page"),
            queryset=integrations.package_choices(),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text=_("Customers can buy these with M-Pesa, a card, or at the counter."),
        )
        if self.instance.pk:
            self.fields["routers"].initial = list(
                self.instance.router_links.values_list("router_id", flat=True)
            )
            self.fields["packages"].initial = list(
                self.instance.package_links.values_list("package_id", flat=True)
            )
        else:
            self.fields["packages"].initial = list(
                integrations.package_choices()
                .filter(sold_on_landing_page=True)
                .values_list("pk", flat=True)
            )

    def clean_slug(self):
        return (self.cleaned_data.get("slug") or "").strip().lower()

    def _phone(self, name):
        value = (self.cleaned_data.get(name) or "").strip()
        if not value:
            return ""
        region = self.organization.country if self.organization else None
        return normalize_phone(value, region)

    def clean_support_phone(self):
        return self._phone("support_phone")

    def clean_support_whatsapp(self):
        return self._phone("support_whatsapp")

    def clean_hotspot_dns_name(self):
        value = (self.cleaned_data.get("hotspot_dns_name") or "").strip().lower().rstrip(".")
        if value and not _HOSTNAME.match(value):
            raise ValidationError(_("Enter a host name such as login.wifi."))
        return value

    def clean(self):
        cleaned = super().clean()
        text, background = cleaned.get("color_text"), cleaned.get("color_background")
        if text and background:
            ratio = contrast(text, background)
            if ratio < MIN_TEXT_CONTRAST:
                self.add_error(
                    "color_text",
                    _(
                        "This text colour is hard to read on the background (contrast "
                        "%(ratio).1f:1; at least 4.5:1 is needed)."
                    )
                    % {"ratio": ratio},
                )
        return cleaned

    def validate_unique(self):
        """The service checks the slug across every organisation."""

    def service_fields(self) -> dict:
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields}
        fields["routers"] = list(self.cleaned_data.get("routers") or [])
        fields["packages"] = list(self.cleaned_data.get("packages") or [])
        fields["logo"] = self.cleaned_data.get("logo")
        if "remove_logo" in self.fields:
            fields["remove_logo"] = self.cleaned_data.get("remove_logo", False)
        return fields


class BlockAddForm(forms.Form):
    kind = forms.ChoiceField(label=_("Add a block"), choices=LandingBlock.Kind.choices)
    text = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The heading or paragraph; for a contact block, an optional note."),
    )
    image = forms.FileField(
        label=_("Image"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}),
    )
    image_alt = forms.CharField(
        label=_("Image description"),
        required=False,
        max_length=150,
        help_text=_("Read aloud to people who cannot see the image."),
    )


class BlockEditForm(forms.Form):
    text = forms.CharField(
        label=_("Text"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    image = forms.FileField(
        label=_("Replace the image"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}),
    )
    image_alt = forms.CharField(label=_("Image description"), required=False, max_length=150)

    def __init__(self, *args, block=None, **kwargs):
        super().__init__(*args, **kwargs)
        if block is not None and block.kind != LandingBlock.Kind.IMAGE:
            del self.fields["image"]
            del self.fields["image_alt"]


# --- public forms (landing page) ---------------------------------------------------------------


def _data_request_kinds():
    from privacy.models import PrivacyRequest

    labels = {
        "access": _("A copy of my data"),
        "correction": _("Correct my data"),
        "erasure": _("Delete my data"),
        "objection": _("Stop using my data for marketing"),
        "other": _("Another question about my data"),
    }
    return [(value, labels.get(value, label)) for value, label in PrivacyRequest.Kind.choices]


class DataRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("What would you like?"), widget=forms.RadioSelect)
    name = forms.CharField(label=_("Your name"), max_length=120)
    contact = forms.CharField(
        label=_("Your phone number or email address"),
        max_length=254,
        help_text=_("The one you gave when you bought Wi-Fi. We send a code there."),
    )
    message = forms.CharField(
        label=_("Anything that helps (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For a correction, say what is wrong and what is right."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _data_request_kinds()


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("The 6-digit code"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class RecoverForm(forms.Form):
    contact = forms.CharField(label=_("Phone number or email you paid with"), max_length=254)
    reference = forms.CharField(
        label=_("Payment reference"),
        max_length=100,
        help_text=_("From your M-Pesa SMS (e.g. QKH3ABC123) or your card receipt (NP…)."),
    )
