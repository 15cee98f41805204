"""Which packages a PPPoE account may be on.

Packages belong to the vouchers app (``vouchers.Package``). A PPPoE account
stores the RouterOS ``/ppp/profile`` name and rate limit it runs with (copied
from the package chosen on import or in the form), so it keeps working if the
package is later renamed; the known names are the organisation's packages plus
RouterOS's built-in ``default`` profiles and the profiles already in use.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps

BUILT_IN_PROFILES = ("default", "default-encryption")


@dataclass(frozen=True)
class PackageChoice:
    name: str
    profile: str
    rate_limit: str = ""


def _package_model():
    try:
        return apps.get_model("vouchers", "Package")
    except LookupError:
        return None


def known_packages() -> dict[str, PackageChoice]:
    """Known packages of the active tenant, by lower-cased name: the vouchers
    app's packages, plus RouterOS's built-in profiles and the profiles already
    in use (a PPPoE account may run on a router profile that is not sold as a
    package)."""
    from customers.selectors import profile_names

    names = [*BUILT_IN_PROFILES, *profile_names()]
    found = {name.lower(): PackageChoice(name, name) for name in names}
    Package = _package_model()
    if Package is not None:
        for package in Package.objects.all():
            profile = getattr(package, "profile_name", None) or package.name
            rate = getattr(package, "rate_limit", "") or ""
            found[package.name.lower()] = PackageChoice(package.name, profile, rate)
    return found
