from django.urls import path

from routers import views

app_name = "routers"

urlpatterns = [
    path("", views.router_list, name="index"),
    path("add/", views.router_create, name="add"),
    path("add/test/", views.router_test_new, name="test_new"),
    path("events/", views.event_list, name="events"),
    path("setup-guide/", views.setup_guide, name="setup_guide"),
    path("<int:router_id>/", views.router_detail, name="detail"),
    path("<int:router_id>/status/", views.router_status, name="status"),
    path("<int:router_id>/sessions/", views.router_sessions, name="sessions"),
    path("<int:router_id>/charts/", views.router_charts_view, name="charts"),
    path("<int:router_id>/edit/", views.router_edit, name="edit"),
    path("<int:router_id>/edit/test/", views.router_test_existing, name="test_existing"),
    path("<int:router_id>/delete/", views.router_delete, name="delete"),
    path("<int:router_id>/test/", views.router_test, name="test"),
    path(
        "<int:router_id>/sessions/<int:activesession_id>/disconnect/",
        views.session_disconnect,
        name="session_disconnect",
    ),
]
