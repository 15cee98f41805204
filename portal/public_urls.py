"""Public landing-page URLs, mounted at /p/ (no login, no tenant in the URL but the slug)."""

from django.urls import path

from portal.views.public import buy, data, landing

app_name = "portal_public"

urlpatterns = [
    path("<slug:slug>/", landing.landing, name="landing"),
    path("<slug:slug>/login/", landing.voucher_login, name="voucher_login"),
    path("<slug:slug>/connected/", landing.connected, name="connected"),
    path("<slug:slug>/privacy/", landing.privacy_notice, name="privacy"),
    path("<slug:slug>/login.html", landing.router_login_html, name="login_html"),
    path("<slug:slug>/img/<str:filename>", landing.image, name="image"),
    path("<slug:slug>/buy/", buy.buy, name="buy"),
    path("<slug:slug>/pay/<str:token>/", buy.pay_status, name="pay_status"),
    path("<slug:slug>/pay/<str:token>/check/", buy.pay_check, name="pay_check"),
    path("<slug:slug>/recover/", buy.recover, name="recover"),
    path("<slug:slug>/your-data/", data.your_data, name="your_data"),
    path("<slug:slug>/your-data/<str:token>/", data.your_data_code, name="your_data_code"),
]
