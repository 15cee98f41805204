"""Which packages a PPPoE account may be on.

Packages belong to the vouchers app (``vouchers.Package``), which is not built
yet. Until it is, a PPPoE account stores the RouterOS ``/ppp/profile`` name and
a rate limit itself, and the "known packages" are the profiles already in use
in the organisation plus RouterOS's built-in ``default`` profiles.

TODO(vouchers): when ``vouchers.Package`` lands, give ``PppoeAccount`` a
``package`` foreign key, fill ``profile``/``rate_limit`` from it, and make
:func:`known_packages` read packages only.
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
    """Known packages of the active tenant, by lower-cased name."""
    Package = _package_model()
    if Package is not None:  # pragma: no cover - until the vouchers app exists
        found = {}
        for package in Package.objects.all():
            profile = getattr(package, "profile_name", None) or package.name
            rate = getattr(package, "rate_limit", "") or ""
            found[package.name.lower()] = PackageChoice(package.name, profile, rate)
        return found
    from customers.selectors import profile_names

    names = [*BUILT_IN_PROFILES, *profile_names()]
    return {name.lower(): PackageChoice(name, name) for name in names}
