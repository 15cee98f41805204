from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import org_permission_required
from notifications import services
from notifications.models import Notification
from notifications.selectors import notification_list, preference_table, unread_count


@org_permission_required("org.view")
def notification_index(request):
    page = Paginator(
        notification_list(organization=request.organization, user=request.user), 25
    ).get_page(request.GET.get("page"))
    return render(request, "notifications/notification_list.html", {"page_obj": page})


@require_POST
@org_permission_required("org.view")
def notification_open(request, notification_id):
    notification = get_object_or_404(Notification, pk=notification_id, recipient=request.user)
    services.notification_mark_read(notification=notification, user=request.user)
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:index")


@require_POST
@org_permission_required("org.view")
def notification_read_all(request):
    count = services.notification_mark_all_read(
        organization=request.organization, user=request.user
    )
    messages.success(request, _("%(n)s notification(s) marked as read.") % {"n": count})
    return redirect("notifications:index")


@org_permission_required("org.view")
def notification_preferences(request):
    rows = preference_table(organization=request.organization, user=request.user)
    if request.method == "POST":
        choices = {
            row["type"].event: {
                "email": request.POST.get(f"{row['type'].event}__email") == "on",
                "in_app": request.POST.get(f"{row['type'].event}__in_app") == "on",
            }
            for row in rows
        }
        services.notification_preferences_set(
            organization=request.organization, user=request.user, choices=choices
        )
        messages.success(request, _("Notification settings saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"rows": rows})


@org_permission_required("org.view")
def notification_badge(request):
    """The unread count for the top bar (an htmx fragment)."""
    count = unread_count(organization=request.organization, user=request.user)
    return render(request, "notifications/badge.html", {"count": count})
