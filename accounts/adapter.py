from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.urls import reverse

from accounts.services import device_record_login
from nettportal.mail import enqueue_message


class AccountAdapter(DefaultAccountAdapter):
    """allauth hooks: our redirects, asynchronous email, new-device alerts."""

    def is_open_for_signup(self, request):
        return getattr(settings, "SIGNUP_ENABLED", True)

    def get_login_redirect_url(self, request):
        return reverse("dashboard")

    def send_mail(self, template_prefix, email, context):
        message = self.render_mail(template_prefix, email, context)
        html = None
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                html = content
        enqueue_message(
            recipients=list(message.to), subject=message.subject, body=message.body, html=html
        )

    def login(self, request, user):
        super().login(request, user)
        device_record_login(
            user=user,
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            ip_address=self.get_client_ip(request),
        )
