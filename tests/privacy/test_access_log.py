import pytest

from accounts.models import User
from accounts.roles import Role
from accounts.tenancy import all_tenants, tenant
from privacy.access_log import access_log_record
from privacy.models import AccessLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return User.objects.create_superuser("auditor@nettportal.test", "Staff-Pass-2026")


def test_owners_see_their_organisations_log_only(worlds, client, django_assert_max_num_queries):
    world_a, world_b = worlds
    client.force_login(world_a.users[Role.OWNER])
    client.get("/dashboard/")  # the session's first request records it; not measured
    # incl. the database cache (no Redis) and the access-log retention period shown
    with django_assert_max_num_queries(14):
        page = client.get("/privacy-center/access-log/")
    body = page.content.decode()
    assert page.status_code == 200
    assert world_a.users[Role.OWNER].email in body
    assert world_b.marker.lower() not in body.lower()
    assert world_b.users[Role.OWNER].email not in body
    assert "They are kept for 365 days." in body  # RETENTION_ACCESS_LOG_DAYS


def test_other_roles_may_not_read_the_log(worlds, client):
    world_a, _world_b = worlds
    for role in (Role.ADMIN, Role.SUPPORT, Role.TECHNICIAN, Role.VIEWER):
        client.force_login(world_a.users[role])
        assert client.get("/privacy-center/access-log/").status_code == 403


def test_filters_and_pagination(org_a, owner_a, client_a):
    with tenant(org_a):
        for n in range(60):
            access_log_record(
                organization=org_a,
                action=AccessLog.Action.EXPORT if n % 2 else AccessLog.Action.VIEW,
                target_type="customers.Customer",
                target_id=n,
                actor=owner_a,
            )
    page = client_a.get("/privacy-center/access-log/?action=export")
    assert page.context["page_obj"].paginator.count == 30
    assert {entry.action for entry in page.context["page_obj"]} == {"export"}
    everything = client_a.get("/privacy-center/access-log/")
    assert everything.context["page_obj"].paginator.num_pages == 2  # 60 (+ page views) by 50
    second = client_a.get("/privacy-center/access-log/?action=view&page=2")
    assert second.context["page_obj"].number == 1  # 30 views fit on one page
    assert second.context["querystring"] == "action=view"
    assert "page=2" in client_a.get("/privacy-center/access-log/").content.decode()


def test_entries_cannot_be_changed_or_deleted(org_a, owner_a):
    with tenant(org_a):
        entry = access_log_record(
            organization=org_a, action=AccessLog.Action.VIEW, target=owner_a, actor=owner_a
        )
        entry.action = AccessLog.Action.DELETE
        with pytest.raises(PermissionError):
            entry.save()
        with pytest.raises(PermissionError):
            entry.delete()
        assert AccessLog.objects.get(pk=entry.pk).action == AccessLog.Action.VIEW


def test_staff_admin_is_read_only_for_the_log(worlds, client, staff):
    world_a, _world_b = worlds
    client.force_login(staff)
    with all_tenants():
        entry = AccessLog.objects.filter(organization=world_a.organization).first()
    assert client.get("/admin/privacy/accesslog/").status_code == 200
    assert client.get("/admin/privacy/accesslog/add/").status_code == 403
    assert (
        client.post(f"/admin/privacy/accesslog/{entry.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    page = client.get(f"/admin/privacy/accesslog/{entry.pk}/change/").content.decode()
    assert 'name="_save"' not in page
    with all_tenants():
        assert AccessLog.objects.filter(pk=entry.pk).exists()


def test_staff_viewing_personal_data_in_the_admin_is_logged(worlds, client, staff):
    world_a, world_b = worlds
    owner = world_a.users[Role.OWNER]
    client.force_login(staff)

    # an object page of an organisation-owned model
    client.get(f"/admin/accounts/organization/{world_a.organization.pk}/change/")
    # a user who belongs to organisation A
    client.get(f"/admin/accounts/user/{owner.pk}/change/")
    # a list page showing users of both organisations
    client.get("/admin/accounts/user/")

    with all_tenants():
        logged_a = AccessLog.objects.filter(
            organization=world_a.organization, via=AccessLog.Via.ADMIN, actor=staff
        )
        assert logged_a.filter(target_type="accounts.Organization", action="view").exists()
        assert logged_a.filter(
            target_type="accounts.User", target_id=str(owner.pk), action="view"
        ).exists()
        listing = logged_a.filter(target_type="accounts.User", target_id="").get()
        assert str(owner.pk) in listing.detail["ids"]
        assert AccessLog.objects.filter(
            organization=world_b.organization, via=AccessLog.Via.ADMIN, target_id=""
        ).exists()
    # and the owner sees it in their own access log
    client.force_login(owner)
    assert "Staff admin" in client.get("/privacy-center/access-log/").content.decode()


def test_staff_changes_are_logged_as_changes(worlds, client, staff):
    world_a, _world_b = worlds
    client.force_login(staff)
    client.post(f"/admin/accounts/organization/{world_a.organization.pk}/change/", {})
    with all_tenants():
        assert AccessLog.objects.filter(
            organization=world_a.organization, via="admin", action="change"
        ).exists()
