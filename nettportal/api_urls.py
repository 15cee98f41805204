"""The REST API: ``/api/v1/`` collects each app's ``api_urls`` module when it has one."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from integrations.views import api_docs, api_not_found
from nettportal.appmodules import app_modules
from nettportal.dashboard import DOMAIN_APPS

v1 = [
    path("", include(module.urlpatterns))
    for module in app_modules(["accounts", *DOMAIN_APPS], "api_urls")
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", api_docs, name="api_docs"),
    re_path(r"^.*$", api_not_found),  # unmatched /api/ paths answer in the API's error shape
]
