from django import template

register = template.Library()


@register.inclusion_tag("notifications/bell.html", takes_context=True)
def notification_bell(context):
    """The top-bar link to notifications. The unread count is fetched by htmx
    after the page loads (and every minute), so no page pays a query for it
    and the badge stays current on long-open pages."""
    request = context.get("request")
    return {"show": getattr(request, "organization", None) is not None}
