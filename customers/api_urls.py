from django.urls import path

from customers import api

urlpatterns = [
    path("customers/", api.CustomerList.as_view(), name="api_customers"),
    path("customers/<int:customer_id>/", api.CustomerDetail.as_view(), name="api_customer"),
    path(
        "customers/<int:customer_id>/suspend/",
        api.CustomerSuspend.as_view(),
        name="api_customer_suspend",
    ),
    path(
        "customers/<int:customer_id>/reactivate/",
        api.CustomerReactivate.as_view(),
        name="api_customer_reactivate",
    ),
    path(
        "customers/<int:customer_id>/sessions/",
        api.CustomerSessionList.as_view(),
        name="api_customer_sessions",
    ),
    path(
        "customers/<int:customer_id>/usage/",
        api.CustomerUsageList.as_view(),
        name="api_customer_usage",
    ),
    path("usage/sessions/", api.UsageSessionList.as_view(), name="api_usage_sessions"),
    path("usage/daily/", api.UsageDailyList.as_view(), name="api_usage_daily"),
    path("usage/routers/", api.RouterUsageDailyList.as_view(), name="api_usage_routers"),
]
