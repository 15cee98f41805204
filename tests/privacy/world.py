from privacy.access_log import access_log_record
from privacy.models import AccessLog


def build(world):
    from accounts.roles import Role

    owner = world.users[Role.OWNER]
    world.add(
        access_log_record(
            organization=world.organization,
            action=AccessLog.Action.VIEW,
            target=owner,
            actor=owner,
            detail={"note": world.marker},
        )
    )
