"""Public landing-page URLs, mounted at /p/ (no login, no tenant in the URL but the slug)."""

from django.urls import path

from portal.views import public

app_name = "portal_public"

urlpatterns = [
    path("<slug:slug>/", public.landing, name="landing"),
    path("<slug:slug>/login/", public.voucher_login, name="voucher_login"),
    path("<slug:slug>/connected/", public.connected, name="connected"),
    path("<slug:slug>/privacy/", public.privacy_notice, name="privacy"),
    path("<slug:slug>/login.html", public.router_login_html, name="login_html"),
    path("<slug:slug>/img/<str:filename>", public.image, name="image"),
    path("<slug:slug>/buy/", public.buy, name="buy"),
    path("<slug:slug>/pay/<str:token>/", public.pay_status, name="pay_status"),
    path("<slug:slug>/pay/<str:token>/check/", public.pay_check, name="pay_check"),
    path("<slug:slug>/recover/", public.recover, name="recover"),
    path("<slug:slug>/your-data/", public.your_data, name="your_data"),
    path("<slug:slug>/your-data/<str:token>/", public.your_data_code, name="your_data_code"),
]
