"""The dashboard home collects a widget from every app that offers one.

An app offers widgets with a ``dashboard.py`` module defining
``widgets(request) -> list[dict]``; each dict has ``template`` and ``context``
and an ``order``. Apps not built yet simply have no module.
"""

from django.conf import settings

from nettportal.appmodules import app_modules

DOMAIN_APPS = [
    "routers",
    "customers",
    "vouchers",
    "billing",
    "portal",
    "support",
    "privacy",
    "notifications",
    "integrations",
    "insights",
]


def collect_widgets(request) -> list[dict]:
    installed = [app for app in DOMAIN_APPS if app in settings.INSTALLED_APPS]
    found = []
    for module in app_modules(installed, "dashboard"):
        found.extend(module.widgets(request))
    return sorted(found, key=lambda widget: widget.get("order", 100))
