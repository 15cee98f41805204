"""Login outcomes feed the security log, and (with consent) usage analytics."""

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from insights.models import AnalyticsEvent, RequestLog
from insights.security import security_event_record


@receiver(user_logged_in, dispatch_uid="insights_login")
def _logged_in(sender, request, user, **kwargs):
    if request is None:
        return
    security_event_record(kind=RequestLog.Kind.LOGIN, request=request, user=user)
    from accounts.selectors import user_memberships
    from insights.consent import analytics_allowed

    if not analytics_allowed(request):
        return
    memberships = user_memberships(user)
    if memberships:
        from accounts.tenancy import tenant

        organization = memberships[0].organization
        with tenant(organization):
            AnalyticsEvent.objects.create(
                organization=organization, user=user, kind=AnalyticsEvent.Kind.LOGIN, name="login"
            )


@receiver(user_login_failed, dispatch_uid="insights_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    # The attempted email is personal data and stays out of the log.
    security_event_record(kind=RequestLog.Kind.LOGIN_FAILED, request=request)
