from django.urls import path

from privacy.registry import customer_model
from privacy.views import account, center, public, requests

app_name = "privacy"

urlpatterns = [
    path("", center.index, name="index"),
    path("exports/", center.export_list, name="export_list"),
    path("exports/<int:dataexport_id>/status/", center.export_status, name="export_status"),
    path("exports/<int:dataexport_id>/download/", center.export_download, name="export_download"),
    path("access-log/", center.access_log, name="access_log"),
    path("requests/", requests.request_list, name="request_list"),
    path("requests/new/", requests.request_create, name="request_create"),
    path("requests/<int:privacyrequest_id>/", requests.request_detail, name="request_detail"),
    path("requests/<int:privacyrequest_id>/start/", requests.request_start, name="request_start"),
    path("requests/<int:privacyrequest_id>/close/", requests.request_close, name="request_close"),
    path(
        "requests/<int:privacyrequest_id>/customer/",
        requests.request_link_customer,
        name="request_link_customer",
    ),
    path("deletion/", account.deletion, name="deletion"),
    path("deletion/schedule/", account.deletion_request, name="deletion_request"),
    path("deletion/cancel/", account.deletion_cancel, name="deletion_cancel"),
    path("my-data/", account.my_data, name="my_data"),
    path("email-preferences/", account.preferences, name="preferences"),
    path("cookies/", account.cookie_settings, name="cookies"),
    path(
        "policies/acknowledge/",
        account.policies_acknowledge_view,
        name="policies_acknowledge",
    ),
    # Public pages (no login): signed tokens or the operator's slug in the query string.
    path("request/", public.privacy_request_public, name="public_request"),
    path("unsubscribe/", public.unsubscribe, name="unsubscribe"),
    path("report-a-minor/", public.minor_report, name="minor_report"),
]

# One customer's data (export, correction, erasure) once the customers app
# provides customers.Customer; the routes appear with it.
if customer_model() is not None:
    urlpatterns += [
        path("customers/<int:customer_id>/", requests.customer_privacy, name="customer"),
        path(
            "customers/<int:customer_id>/export/",
            requests.customer_export,
            name="customer_export",
        ),
        path(
            "customers/<int:customer_id>/correct/",
            requests.customer_correct,
            name="customer_correct",
        ),
        path("customers/<int:customer_id>/erase/", requests.customer_erase, name="customer_erase"),
    ]
