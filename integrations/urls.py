from django.urls import path

from integrations import views

app_name = "integrations"

urlpatterns = [
    path("", views.integrations_index, name="index"),
    path("tokens/new/", views.api_token_create, name="token_create"),
    path("tokens/<int:apitoken_id>/revoke/", views.api_token_revoke, name="token_revoke"),
    path("webhooks/new/", views.webhook_create, name="webhook_create"),
    path("webhooks/<int:webhookendpoint_id>/", views.webhook_detail, name="webhook_detail"),
    path("webhooks/<int:webhookendpoint_id>/edit/", views.webhook_edit, name="webhook_edit"),
    path("webhooks/<int:webhookendpoint_id>/test/", views.webhook_test, name="webhook_test"),
    path(
        "webhooks/<int:webhookendpoint_id>/rotate-secret/",
        views.webhook_rotate_secret,
        name="webhook_rotate_secret",
    ),
    path("webhooks/<int:webhookendpoint_id>/delete/", views.webhook_delete, name="webhook_delete"),
    path(
        "deliveries/<int:webhookdelivery_id>/",
        views.webhook_delivery_detail,
        name="delivery_detail",
    ),
    path(
        "deliveries/<int:webhookdelivery_id>/resend/",
        views.webhook_delivery_resend,
        name="delivery_resend",
    ),
]
