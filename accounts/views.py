from allauth.account.adapter import get_adapter
from allauth.usersessions.models import UserSession
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import services
from accounts.forms import (
    AcceptInvitationForm,
    InviteForm,
    MemberRoleForm,
    OrganizationSettingsForm,
)
from accounts.middleware import ACTIVE_ORG_SESSION_KEY
from accounts.models import Invitation, Membership
from accounts.permissions import has_org_permission, org_permission_required
from accounts.selectors import invitation_pending_list, member_list, user_membership_for
from nettportal.errors import ApplicationError


def _form_error(form, error: ApplicationError):
    if error.field and error.field in form.fields:
        form.add_error(error.field, error.message)
    else:
        form.add_error(None, error.message)


@org_permission_required("org.view")
def organization_settings(request):
    organization = request.organization
    can_manage = has_org_permission(request, "org.manage")
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        form = OrganizationSettingsForm(request.POST, instance=organization)
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
            organization.refresh_from_db()  # the form wrote to the instance; start clean
            services.organization_update(organization=organization, actor=request.user, **fields)
            messages.success(request, _("Organisation settings saved."))
            return redirect("organization_settings")
        organization.refresh_from_db()
    else:
        form = OrganizationSettingsForm(instance=organization)
    if not can_manage:
        for field in form.fields.values():
            field.disabled = True
    return render(
        request,
        "accounts/organization_settings.html",
        {"form": form, "can_manage": can_manage},
    )


@org_permission_required("members.view")
def member_list_view(request):
    organization = request.organization
    return render(
        request,
        "accounts/member_list.html",
        {
            "members": member_list(organization=organization),
            "invitations": invitation_pending_list(organization=organization),
            "invite_form": InviteForm(),
            "role_form": MemberRoleForm(),
            "can_manage": has_org_permission(request, "members.manage"),
        },
    )


@org_permission_required("members.manage")
def member_invite(request):
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_create(
                organization=request.organization,
                actor=request.user,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]}
            )
            return redirect("member_list")
    return render(request, "accounts/member_invite.html", {"form": form})


@require_POST
@org_permission_required("members.manage")
def member_change_role(request, membership_id):
    membership = get_object_or_404(Membership, pk=membership_id)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role from the list."))
        return redirect("member_list")
    try:
        services.membership_change_role(
            membership=membership, actor=request.user, role=form.cleaned_data["role"]
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Role changed."))
    return redirect("member_list")


@org_permission_required("members.manage")
def member_remove(request, membership_id):
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=membership_id)
    if request.method == "POST":
        try:
            services.membership_remove(membership=membership, actor=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("%(email)s was removed.") % {"email": membership.user.email}
            )
        return redirect("member_list")
    return render(
        request,
        "components/confirm.html",
        {
            "title": _("Remove member"),
            "message": _("Remove %(email)s from %(org)s? They lose access at once.")
            % {"email": membership.user.email, "org": request.organization.name},
            "confirm_label": _("Remove member"),
            "cancel_url": "member_list",
        },
    )


@require_POST
@org_permission_required("members.manage")
def invitation_revoke(request, invitation_id):
    invitation = get_object_or_404(Invitation, pk=invitation_id)
    try:
        services.invitation_revoke(invitation=invitation, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Invitation revoked."))
    return redirect("member_list")


def invitation_accept(request, token):
    """Public: the link from an invitation email."""
    try:
        invitation = services.invitation_from_token(token)
    except ApplicationError as error:
        return render(
            request, "accounts/invitation_invalid.html", {"message": error.message}, status=400
        )
    from accounts.models import User

    context = {"invitation": invitation, "organization": invitation.organization}
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                membership = services.invitation_accept(invitation=invitation, user=request.user)
            except ApplicationError as error:
                messages.error(request, error.message)
                return redirect("dashboard")
            request.session[ACTIVE_ORG_SESSION_KEY] = membership.organization_id
            messages.success(
                request, _("You joined %(org)s.") % {"org": invitation.organization.name}
            )
            return redirect("dashboard")
        return render(request, "accounts/invitation_accept.html", context)
    if User.objects.filter(email__iexact=invitation.email).exists():
        messages.info(request, _("Log in as %(email)s to accept.") % {"email": invitation.email})
        return redirect(f"/account/login/?next={request.path}")
    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create_from_invitation(
                invitation=invitation,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
                ip_address=get_adapter().get_client_ip(request),
            )
        except ApplicationError as error:
            _form_error(form, error)
        else:
            auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session[ACTIVE_ORG_SESSION_KEY] = invitation.organization_id
            return redirect("dashboard")
    context["form"] = form
    return render(request, "accounts/invitation_signup.html", context)


@login_required
def session_list(request):
    from accounts.selectors import user_session_list

    return render(
        request,
        "accounts/session_list.html",
        {"sessions": user_session_list(request=request)},
    )


@require_POST
@login_required
def session_revoke(request, usersession_id):
    user_session = get_object_or_404(UserSession, pk=usersession_id, user=request.user)
    if user_session.session_key == request.session.session_key:
        messages.error(request, _("Use “Log out” to end the session you are using now."))
    else:
        user_session.end()
        messages.success(request, _("That session was signed out."))
    return redirect("session_list")


@require_POST
@login_required
def session_revoke_others(request):
    ended = 0
    for user_session in UserSession.objects.filter(user=request.user).exclude(
        session_key=request.session.session_key
    ):
        user_session.end()
        ended += 1
    messages.success(request, _("%(n)s other session(s) signed out.") % {"n": ended})
    return redirect("session_list")


@require_POST
@login_required
def organization_switch(request, organization_id):
    membership = user_membership_for(request.user, organization_id)
    if membership is None:
        raise Http404
    request.session[ACTIVE_ORG_SESSION_KEY] = membership.organization_id
    messages.success(request, _("Switched to %(org)s.") % {"org": membership.organization.name})
    return redirect("dashboard")


@login_required
def no_organization(request):
    if getattr(request, "membership", None) is not None:
        return redirect("dashboard")
    return render(request, "accounts/no_organization.html")
