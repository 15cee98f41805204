from datetime import timedelta

from django.utils import timezone

from privacy.access_log import access_log_record
from privacy.models import AccessLog, DataExport, PrivacyRequest


def build(world):
    from accounts.roles import Role

    owner = world.users[Role.OWNER]
    slug = world.marker.lower()
    now = timezone.now()
    privacy_request = PrivacyRequest.objects.create(
        organization=world.organization,
        reference=f"PR-{world.marker[:6]}",
        kind=PrivacyRequest.Kind.ERASURE,
        source=PrivacyRequest.Source.LANDING_PAGE,
        requester_name=f"Requester {world.marker}",
        requester_email=f"requester-{slug}@example.test",
        message=f"Please delete my data {world.marker}",
        received_at=now,
        due_at=PrivacyRequest.due_from(now),
    )
    export = DataExport.objects.create(
        organization=world.organization,
        kind=DataExport.Kind.ORGANIZATION,
        status=DataExport.Status.READY,
        requested_by=owner,
        file_name=f"{world.organization.pk}/missing-{slug}.zip",
        counts={"accounts.Organization": 1},
        finished_at=now,
        expires_at=now + timedelta(days=7),
    )
    world.add(
        access_log_record(
            organization=world.organization,
            action=AccessLog.Action.VIEW,
            target=owner,
            actor=owner,
            detail={"note": world.marker},
        ),
        privacy_request,
        export,
    )
    world.post_data.update(
        {
            "status": PrivacyRequest.Status.COMPLETED,
            "outcome": "Done by the walk",
            "customer_id": 1,
            "kind": "erasure",
        }
    )
