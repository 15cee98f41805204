import ipaddress
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from routers.models import Router

_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)([a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)*"
    r"[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$"
)


def clean_host(value: str) -> str:
    host = (value or "").strip()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if "://" in host or "/" in host:
        raise forms.ValidationError(
            _("Enter only the host name or IP address, without http:// or a path.")
        )
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    if ":" in host:
        raise forms.ValidationError(_("Put the port in the API port field, not in the host."))
    if not _HOSTNAME.match(host):
        raise forms.ValidationError(_("Enter a valid host name or IP address."))
    return host.lower()


class RouterForm(forms.ModelForm):
    """Add or edit a router. The password is never sent back to the browser."""

    api_port = forms.IntegerField(
        label=_("API port"),
        min_value=1,
        max_value=65535,
        initial=8728,
        help_text=_("8728 for the API service, 8729 for API-SSL."),
    )
    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = Router
        fields = [
            "name",
            "site",
            "host",
            "api_port",
            "use_tls",
            "verify_tls",
            "username",
            "password",
            "notes",
            "is_enabled",
        ]
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "site": forms.TextInput(attrs={"list": "router-sites"}),
        }
        help_texts = {
            "username": _("The limited API user created for NettPortal (see the setup guide).")
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.is_new = self.instance.pk is None
        if self.is_new:
            self.fields["password"].required = True
        else:
            self.fields["password"].help_text = _("Leave empty to keep the current password.")

    def clean_host(self):
        return clean_host(self.cleaned_data.get("host", ""))

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Give the router a name."))
        return name

    def clean(self):
        data = super().clean()
        if data.get("verify_tls") and not data.get("use_tls"):
            self.add_error("verify_tls", _("Certificate verification needs TLS (API-SSL) on."))
        return data

    def _post_clean(self):
        # Services do the saving (and the uniqueness check per organisation);
        # the encrypted password must not be copied onto the instance here.
        pass

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ConnectionTestForm(RouterForm):
    """The connection fields of RouterForm, for "Test connection" before saving."""

    class Meta(RouterForm.Meta):
        fields = ["host", "api_port", "use_tls", "verify_tls", "username", "password"]

    def clean_name(self):  # pragma: no cover - no name field here
        return ""


class RouterFilterForm(forms.Form):
    STATUS_CHOICES = [("", _("All statuses")), *Router.Status.choices]

    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False, label=_("Status"))
    site = forms.CharField(required=False, label=_("Site"))
    q = forms.CharField(required=False, label=_("Search"), max_length=100)

    def __init__(self, *args, sites=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"] = forms.ChoiceField(
            choices=[("", _("All sites"))] + [(site, site) for site in sites],
            required=False,
            label=_("Site"),
        )


class SessionSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label=_("Search sessions"))
    kind = forms.ChoiceField(
        required=False,
        choices=[("", _("Hotspot and PPPoE")), ("hotspot", _("Hotspot")), ("ppp", _("PPPoE"))],
    )
