from django.urls import path

from accounts import views

urlpatterns = [
    path("settings/organization/", views.organization_settings, name="organization_settings"),
    path("settings/members/", views.member_list_view, name="member_list"),
    path("settings/members/invite/", views.member_invite, name="member_invite"),
    path(
        "settings/members/<int:membership_id>/role/",
        views.member_change_role,
        name="member_change_role",
    ),
    path(
        "settings/members/<int:membership_id>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path(
        "settings/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("settings/sessions/", views.session_list, name="session_list"),
    path(
        "settings/sessions/<int:usersession_id>/revoke/",
        views.session_revoke,
        name="session_revoke",
    ),
    path(
        "settings/sessions/revoke-others/",
        views.session_revoke_others,
        name="session_revoke_others",
    ),
    path(
        "settings/switch/<int:organization_id>/",
        views.organization_switch,
        name="organization_switch",
    ),
    path("invitations/accept/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("welcome/no-organization/", views.no_organization, name="no_organization"),
]
