from django import template

from notifications.selectors import unread_count

register = template.Library()


@register.inclusion_tag("notifications/bell.html", takes_context=True)
def notification_bell(context):
    """The top-bar link with the unread count (one COUNT query per page)."""
    request = context.get("request")
    organization = getattr(request, "organization", None)
    count = 0
    if organization is not None and request.user.is_authenticated:
        count = unread_count(organization=organization, user=request.user)
    return {"count": count, "show": organization is not None}
