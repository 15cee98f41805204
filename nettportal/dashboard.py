"""The dashboard home collects a widget from every app that offers one.

An app offers widgets with a ``dashboard.py`` module defining
``widgets(request) -> list[dict]``; each dict has ``template`` and ``context``
and an ``order``. Apps not built yet simply have no module.
"""

from importlib import import_module

from django.conf import settings

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
    found = []
    for app in DOMAIN_APPS:
        if app not in settings.INSTALLED_APPS:
            continue
        try:
            module = import_module(f"{app}.dashboard")
        except ModuleNotFoundError as error:
            if error.name != f"{app}.dashboard":
                raise
            continue
        found.extend(module.widgets(request))
    return sorted(found, key=lambda widget: widget.get("order", 100))
