from django import template
from django.templatetags.static import static
from django.utils.html import format_html

from insights.consent import analytics_allowed

register = template.Library()


@register.simple_tag(takes_context=True)
def analytics_beacon(context):
    """The time-on-page beacon script, only for people who allowed analytics."""
    request = context.get("request")
    if request is None or not getattr(request, "organization", None):
        return ""
    if not analytics_allowed(request):
        return ""
    return format_html(
        '<script src="{}" data-beacon-url="/insights/beacon/" defer></script>',
        static("js/insights.js"),
    )
