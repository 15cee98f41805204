"""``{% privacy_banners %}``: the dashboard banners privacy owns.

* a significant policy change the user has not acknowledged,
* the cookie choice when the visitor has not made one,
* the suspension notice of an organisation whose deletion is scheduled.

The layout includes ``privacy/banners.html`` once, in ``{% block banners %}``.
"""

from django import template

from privacy.consent import cookie_choice
from privacy.selectors import deletion_active, policies_to_acknowledge

register = template.Library()


@register.inclusion_tag("privacy/includes/banners.html", takes_context=True)
def privacy_banners(context):
    request = context.get("request")
    if request is None:
        return {}
    user = getattr(request, "user", None)
    organization = getattr(request, "organization", None)
    deletion = None
    if organization is not None and organization.status != organization.Status.ACTIVE:
        deletion = deletion_active(organization=organization)
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "policies": policies_to_acknowledge(user) if user is not None else [],
        "show_cookie_banner": cookie_choice(request) is None,
        "deletion": deletion,
        "organization": organization,
        "next_url": request.get_full_path(),
    }
