from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_index, name="index"),
    path("<int:notification_id>/open/", views.notification_open, name="open"),
    path("badge/", views.notification_badge, name="badge"),
    path("read-all/", views.notification_read_all, name="read_all"),
    path("settings/", views.notification_preferences, name="preferences"),
]
