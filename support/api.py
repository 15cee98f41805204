"""Support tickets over the API (scope ``support:read`` / ``support:write``)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from integrations.rest import NonBlankCharField, TenantFilterSet
from support import services
from support.models import Ticket, TicketAttachment, TicketMessage


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = TicketAttachment
        fields = ["id", "original_name", "content_type", "size", "created_at"]


class MessageSerializer(serializers.ModelSerializer):
    attachments = AttachmentSerializer(many=True, read_only=True)
    author = serializers.SerializerMethodField()

    class Meta:
        model = TicketMessage
        fields = ["id", "author", "is_staff_reply", "body", "created_at", "attachments"]

    def get_author(self, message) -> str:
        if message.is_staff_reply:
            return "NettPortal support"
        return message.author.get_full_name() if message.author else ""


class TicketSerializer(serializers.ModelSerializer):
    class Meta:
        model = Ticket
        fields = [
            "id",
            "subject",
            "category",
            "priority",
            "status",
            "created_at",
            "updated_at",
            "last_message_at",
        ]


class TicketCreateSerializer(serializers.Serializer):
    subject = NonBlankCharField(max_length=160)
    category = serializers.ChoiceField(choices=Ticket.Category.choices)
    priority = serializers.ChoiceField(
        choices=Ticket.Priority.choices, default=Ticket.Priority.NORMAL
    )
    body = NonBlankCharField(max_length=services.MAX_BODY)


class ReplySerializer(serializers.Serializer):
    body = NonBlankCharField(max_length=services.MAX_BODY)


class TicketFilter(TenantFilterSet):
    class Meta:
        model = Ticket
        fields = ["status", "category", "priority"]


class TicketList(generics.ListCreateAPIView):
    """Your organisation's tickets; POST opens one (attachments: use the dashboard)."""

    org_permission = "support.view"
    org_write_permission = "support.manage"
    serializer_class = TicketSerializer
    filterset_class = TicketFilter
    ordering_fields = ["last_message_at", "created_at", "id"]
    ordering = ["-id"]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_queryset(self):
        return Ticket.objects.select_related("opened_by")

    @extend_schema(request=TicketCreateSerializer, responses={201: TicketSerializer})
    def post(self, request, *args, **kwargs):
        incoming = TicketCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        ticket = services.ticket_open(
            organization=request.organization, actor=request.user, **incoming.validated_data
        )
        return Response(TicketSerializer(ticket).data, status=status.HTTP_201_CREATED)


class TicketDetail(generics.RetrieveAPIView):
    org_permission = "support.view"
    serializer_class = TicketSerializer
    lookup_url_kwarg = "ticket_id"

    def get_queryset(self):
        return Ticket.objects.all()


class TicketMessages(generics.ListCreateAPIView):
    """The conversation of one ticket (staff-internal notes are never listed);
    POST replies."""

    org_permission = "support.view"
    org_write_permission = "support.manage"
    serializer_class = MessageSerializer
    ordering_fields = ["id"]
    ordering = ["id"]
    filter_backends = []
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_ticket(self):
        return get_object_or_404(Ticket, pk=self.kwargs["ticket_id"])

    def get_queryset(self):
        return (
            TicketMessage.objects.filter(ticket=self.get_ticket(), is_internal=False)
            .select_related("author")
            .prefetch_related("attachments")
        )

    @extend_schema(request=ReplySerializer, responses={201: MessageSerializer})
    def post(self, request, *args, **kwargs):
        ticket = self.get_ticket()
        incoming = ReplySerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        message = services.ticket_reply(
            ticket=ticket, actor=request.user, body=incoming.validated_data["body"]
        )
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)
