from rest_framework import serializers
from rest_framework.generics import RetrieveAPIView

from accounts.models import Organization
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
