from rest_framework import serializers
from rest_framework.generics import RetrieveAPIView

from accounts.models import Organization
from accounts.permissions import has_org_permission


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

    def get_object(self):
        from rest_framework.exceptions import PermissionDenied

        if not has_org_permission(self.request, "org.view"):
            raise PermissionDenied("You are not a member of an organisation.")
        return self.request.organization
