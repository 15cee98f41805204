"""Finding the module an app offers for a shared job (``<app>.schedule``, ``<app>.demo``…).

Only imports ``importlib``: the beat schedule is assembled while Celery configures
itself, before Django's models can be loaded.
"""

from importlib import import_module


def app_modules(apps, name: str):
    """Each ``<app>.<name>`` module that exists, in the order of ``apps``.

    An app without one is skipped; an import error raised inside a module that does
    exist is not hidden.
    """
    for app in apps:
        dotted = f"{app}.{name}"
        try:
            module = import_module(dotted)
        except ModuleNotFoundError as error:
            if error.name != dotted:
                raise
            continue
        yield module
