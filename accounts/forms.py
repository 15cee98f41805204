from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.functional import lazy
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from accounts.models import COUNTRY_CHOICES, Organization
from accounts.roles import Role
from accounts.services import signup_complete
from nettportal.phones import normalize_phone


def _policy_links_text():
    return mark_safe(  # noqa: S308 - fixed markup, no user input
        str(
            _(
                'I accept the <a href="/terms" target="_blank">terms of service</a>, the '
                '<a href="/privacy" target="_blank">privacy policy</a> and the '
                '<a href="/dpa" target="_blank">data-processing agreement</a>.'
            )
        )
    )


_policy_links = lazy(_policy_links_text, SafeString)


class SignupForm(AllauthSignupForm):
    """Sign-up creates the organisation and its owner in one transaction."""

    full_name = forms.CharField(label=_("Your name"), max_length=150)
    organization_name = forms.CharField(label=_("Organisation name"), max_length=120, min_length=2)
    phone = forms.CharField(label=_("Business phone"), max_length=32)
    country = forms.ChoiceField(label=_("Country"), choices=COUNTRY_CHOICES, initial="GH")
    is_business_adult = forms.BooleanField(
        label=_("I am a business user aged 18 or over."),
        error_messages={"required": _("NettPortal is for businesses run by adults (18+).")},
    )
    accept_policies = forms.BooleanField(
        label=_policy_links(),
        error_messages={
            "required": _("You must accept the terms, privacy policy and DPA to sign up.")
        },
    )

    field_order = [
        "full_name",
        "email",
        "organization_name",
        "phone",
        "country",
        "password1",
        "password2",
        "is_business_adult",
        "accept_policies",
    ]

    def clean_organization_name(self):
        name = " ".join(self.cleaned_data["organization_name"].split())
        if len(name) < 2:
            raise ValidationError(_("Enter your organisation's name."))
        return name

    def clean(self):
        cleaned = super().clean()
        phone = cleaned.get("phone")
        if phone:
            try:
                cleaned["phone"] = normalize_phone(phone, cleaned.get("country"))
            except ValidationError as error:
                self.add_error("phone", error)
        return cleaned

    def save(self, request):
        with transaction.atomic():
            return super().save(request)

    def signup(self, request, user):
        from allauth.account.adapter import get_adapter

        signup_complete(
            user=user,
            organization_name=self.cleaned_data["organization_name"],
            phone=self.cleaned_data["phone"],
            country=self.cleaned_data["country"],
            full_name=self.cleaned_data["full_name"],
            ip_address=get_adapter().get_client_ip(request),
        )


class OrganizationSettingsForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = [
            "name",
            "email",
            "phone",
            "address_line",
            "city",
            "country",
            "currency",
            "time_zone",
            "require_2fa",
        ]
        help_texts = {"phone": _("Any common format, e.g. 020 123 4567 or +233 20 123 4567.")}

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if len(name) < 2:
            raise ValidationError(_("Enter your organisation's name."))
        return name

    def clean(self):
        cleaned = super().clean()
        phone = cleaned.get("phone")
        if phone:
            try:
                cleaned["phone"] = normalize_phone(phone, cleaned.get("country"))
            except ValidationError as error:
                self.add_error("phone", error)
        return cleaned


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.VIEWER)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class AcceptInvitationForm(forms.Form):
    """For invited people who have no account yet."""

    full_name = forms.CharField(label=_("Your name"), max_length=150)
    password1 = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password (again)"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    is_business_adult = forms.BooleanField(
        label=_("I am aged 18 or over and act for this business."),
        error_messages={"required": _("NettPortal is for businesses run by adults (18+).")},
    )
    accept_policies = forms.BooleanField(
        label=_policy_links(),
        error_messages={
            "required": _("You must accept the terms, privacy policy and DPA to join.")
        },
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("You must type the same password each time."))
        if first:
            from accounts.models import User

            try:
                password_validation.validate_password(
                    first, User(email=self.email, full_name=cleaned.get("full_name", ""))
                )
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned
