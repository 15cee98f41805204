from django.urls import path

from routers import api

urlpatterns = [
    path("routers/", api.RouterList.as_view(), name="api_routers"),
    path("routers/<int:router_id>/", api.RouterDetail.as_view(), name="api_router"),
    path(
        "routers/<int:router_id>/test-connection/",
        api.RouterTestConnection.as_view(),
        name="api_router_test_connection",
    ),
    path(
        "routers/<int:router_id>/sessions/",
        api.RouterSessionList.as_view(),
        name="api_router_sessions",
    ),
]
