from rest_framework import serializers
from rest_framework.generics import ListAPIView, RetrieveAPIView

from accounts.models import Membership, Organization
from accounts.tenancy import current_organization


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "slug",
            "email",
            "phone",
            "country",
            "currency",
            "time_zone",
            "created_at",
        ]


class CurrentOrganizationView(RetrieveAPIView):
    """The organisation the caller acts for."""

    serializer_class = OrganizationSerializer
    org_permission = "org.view"

    def get_object(self):
        return current_organization()


class MemberSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "email", "full_name", "role", "created_at"]


class MemberList(ListAPIView):
    """The organisation's members and their roles (read-only)."""

    serializer_class = MemberSerializer
    org_permission = "members.view"
    filterset_fields = ["role"]
    ordering_fields = ["created_at", "id"]
    ordering = ["-id"]

    def get_queryset(self):
        return Membership.objects.select_related("user")
