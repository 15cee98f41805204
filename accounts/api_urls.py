from django.urls import path

from accounts.api import CurrentOrganizationView, MemberList

urlpatterns = [
    path("organization/", CurrentOrganizationView.as_view(), name="api_organization"),
    path("members/", MemberList.as_view(), name="api_member_list"),
]
