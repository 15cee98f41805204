from nettportal.jobs import job_create


def build(world):
    world.add(
        job_create(
            organization=world.organization, kind="test", title=f"Job {world.marker}", total=10
        )
    )
