"""The REST API: ``/api/v1/`` collects each app's ``api_urls`` module when it has one."""

from importlib import import_module

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from integrations.views import api_docs, api_not_found
from nettportal.dashboard import DOMAIN_APPS

v1 = []
for _app in ["accounts", *DOMAIN_APPS]:
    try:
        _module = import_module(f"{_app}.api_urls")
    except ModuleNotFoundError as error:
        if error.name != f"{_app}.api_urls":
            raise
        continue
    v1.append(path("", include(_module.urlpatterns)))

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", api_docs, name="api_docs"),
    re_path(r"^.*$", api_not_found),  # unmatched /api/ paths answer in the API's error shape
]
