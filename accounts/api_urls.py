from django.urls import path

from accounts.api import CurrentOrganizationView

urlpatterns = [
    path("organization/", CurrentOrganizationView.as_view(), name="api_organization"),
]
