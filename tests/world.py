"""A fixture world: one organisation with a member of every role and at least
one row of every tenant-owned model, each carrying the world's marker text.

Each app adds its objects in ``tests/<app>/world.py`` with ``build(world)``;
``build_world`` discovers those modules, so a new app plugs in by adding one.
"""

from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path

from accounts.roles import Role
from accounts.tenancy import tenant
from tests.accounts.factories import MembershipFactory, OrganizationFactory

TESTS_DIR = Path(__file__).resolve().parent


@dataclass
class World:
    organization: object
    marker: str
    users: dict = field(default_factory=dict)
    objects: list = field(default_factory=list)
    # Form fields the app's POST endpoints understand, so the isolation walk
    # sends requests that *would* change something if a view were unscoped.
    # Values must not contain the marker (ids of this world's objects are ideal:
    # A's requests then also try to point A's rows at B's objects).
    post_data: dict = field(default_factory=dict)
    # A plaintext API token of this world's owner with every scope (set by
    # tests/integrations/world.py), for the API-token isolation walk.
    api_token: str = ""

    def add(self, *objects):
        self.objects.extend(objects)
        return objects[0] if len(objects) == 1 else objects

    def ids(self, model_name: str) -> list:
        return sorted({obj.pk for obj in self.objects if obj._meta.model_name == model_name})


def world_modules():
    for path in sorted(TESTS_DIR.glob("*/world.py")):
        yield import_module(f"tests.{path.parent.name}.world")


def build_world(name: str, marker: str) -> World:
    slug = marker.lower()
    organization = OrganizationFactory(
        name=f"{name} {marker}", slug=slug, email=f"billing-{slug}@example.test"
    )
    world = World(organization=organization, marker=marker)
    world.add(organization)
    with tenant(organization):
        for role in Role.values:
            membership = MembershipFactory(
                organization=organization,
                role=role,
                user__email=f"{role}-{slug}@example.test",
                user__full_name=f"{role.title()} {marker}",
            )
            world.users[role] = membership.user
            world.add(membership, membership.user)
        for module in world_modules():
            module.build(world)
    return world
