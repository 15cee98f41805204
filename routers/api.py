"""REST API for routers (scopes ``routers:read`` / ``routers:write``): the fleet,
one router's status, "test connection" and its active sessions.

Router credentials never leave the server: the serializers have no password
or API username. Another tenant's id is a 404.
"""

import django_filters
from django.db.models import Q
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from integrations.rest import TenantFilterSet
from privacy.access_log import access_log_record
from privacy.models import AccessLog
from routers import services
from routers.models import ActiveSession, Router

# Fields never read for the API (the password is never serialised anyway).
HIDDEN = ("password", "username", "notes", "interface_counters", "poll_lease_token")


class RouterSerializer(serializers.ModelSerializer):
    memory_used_percent = serializers.IntegerField(read_only=True, allow_null=True)
    users_online = serializers.IntegerField(read_only=True)

    class Meta:
        model = Router
        fields = [
            "id",
            "name",
            "host",
            "api_port",
            "use_tls",
            "site",
            "is_enabled",
            "status",
            "status_changed_at",
            "last_seen_at",
            "last_polled_at",
            "last_error",
            "identity",
            "version",
            "board_name",
            "uptime_seconds",
            "cpu_load",
            "memory_used_percent",
            "hotspot_sessions_count",
            "ppp_sessions_count",
            "users_online",
            "created_at",
        ]


class RouterFilter(TenantFilterSet):
    q = django_filters.CharFilter(
        method="filter_search", help_text="Name, host, identity or site contains this."
    )

    class Meta:
        model = Router
        fields = ["status", "site", "is_enabled"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(host__icontains=value)
            | Q(identity__icontains=value)
            | Q(site__icontains=value)
        )


class RouterList(generics.ListAPIView):
    """The organisation's routers with their last polled state; filter by ``status``,
    ``site``, ``is_enabled`` and ``q``."""

    serializer_class = RouterSerializer
    org_permission = "routers.view"
    filterset_class = RouterFilter
    ordering_fields = ["name", "last_seen_at", "id"]
    ordering = ["name", "id"]

    def get_queryset(self):
        return Router.objects.defer(*HIDDEN)


class RouterDetail(generics.RetrieveAPIView):
    serializer_class = RouterSerializer
    org_permission = "routers.view"
    lookup_url_kwarg = "router_id"

    def get_queryset(self):
        return Router.objects.defer(*HIDDEN)


class ConnectionTestSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    status = serializers.ChoiceField(choices=Router.Status.choices)
    message = serializers.CharField()
    duration_seconds = serializers.FloatField()
    router = RouterSerializer()


class RouterTestConnection(APIView):
    """Poll the router now (like the dashboard's "Test connection" button) and store
    the result; ``ok`` says whether it answered. 409 while another poll of it runs."""

    org_permission = "routers.manage"

    @extend_schema(request=None, responses=ConnectionTestSerializer)
    def post(self, request, router_id):
        router = get_object_or_404(Router, pk=router_id)
        outcome = services.router_poll_now(router=router)
        body = ConnectionTestSerializer(
            {
                "ok": outcome.ok,
                "status": router.status,
                "message": outcome.message,
                "duration_seconds": round(outcome.duration, 3),
                "router": router,
            }
        ).data
        return Response(body)


class ActiveSessionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActiveSession
        fields = [
            "id",
            "kind",
            "username",
            "address",
            "mac_address",
            "uptime_seconds",
            "bytes_in",
            "bytes_out",
            "login_by",
            "seen_at",
        ]


class RouterSessionList(generics.ListAPIView):
    """Who is online on this router, as of its last poll; filter by ``kind``."""

    serializer_class = ActiveSessionSerializer
    org_permission = "routers.view"
    filterset_fields = ["kind"]
    ordering_fields = ["username", "uptime_seconds", "id"]
    ordering = ["username", "id"]

    def get_router(self):
        if not hasattr(self, "_router"):
            self._router = get_object_or_404(Router.objects.only("id"), pk=self.kwargs["router_id"])
        return self._router

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return ActiveSession.objects.none()
        return ActiveSession.objects.filter(router=self.get_router())

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        shown = len(response.data.get("results", []))
        if shown:
            # End customers' usernames, addresses and MACs (as the dashboard logs them).
            access_log_record(
                organization=request.organization,
                action=AccessLog.Action.VIEW,
                target_type="routers.ActiveSession",
                target_id=f"router:{self.get_router().pk}",
                request=request,
                detail={"sessions": shown},
            )
        return response
