import pytest

from accounts import tenancy
from accounts.models import Membership
from accounts.roles import Role
from accounts.tenancy import (
    TenantMismatch,
    TenantNotActive,
    all_tenants,
    current_organization,
    tenant,
    tenant_task,
)


@pytest.mark.django_db
def test_default_manager_refuses_without_tenant(owner_a):
    with pytest.raises(TenantNotActive):
        Membership.objects.all()
    with pytest.raises(TenantNotActive):
        Membership.objects.create(organization_id=1, user=owner_a, role=Role.VIEWER)


@pytest.mark.django_db
def test_manager_filters_by_active_tenant(org_a, org_b, owner_a, owner_b):
    with tenant(org_a):
        assert list(Membership.objects.values_list("user_id", flat=True)) == [owner_a.pk]
        assert not Membership.objects.filter(user=owner_b).exists()
    with tenant(org_b):
        assert list(Membership.objects.values_list("user_id", flat=True)) == [owner_b.pk]


@pytest.mark.django_db
def test_none_is_never_a_tenant():
    with pytest.raises(ValueError, match="None is never a tenant"), tenant(None):
        pass
    with pytest.raises(ValueError, match="None is never a tenant"):
        tenancy.activate(None)


@pytest.mark.django_db
def test_unscoped_access_is_explicit(owner_a, owner_b):
    with all_tenants():
        assert Membership.objects.count() == 2
    with pytest.raises(TenantNotActive):
        Membership.objects.count()


@pytest.mark.django_db
def test_saving_a_row_of_another_tenant_is_refused(org_a, org_b, owner_a):
    with tenant(org_a):
        membership = Membership.objects.get(user=owner_a)
    with tenant(org_b):
        membership.role = Role.VIEWER
        with pytest.raises(TenantMismatch):
            membership.save()
    membership.refresh_from_db()
    assert membership.role == Role.OWNER


@pytest.mark.django_db
def test_new_rows_take_the_active_tenant(org_a, make_member):
    user = make_member(org_a, Role.ADMIN)
    with tenant(org_a):
        assert Membership.objects.get(user=user).organization_id == org_a.pk


@pytest.mark.django_db
def test_tenant_task_activates_the_named_org_and_clears_after(org_a, org_b):
    seen = []

    @tenant_task
    def body(org_id):
        seen.append(current_organization().pk)

    with tenant(org_b):
        body(org_a.pk)
        assert current_organization() == org_b
    assert seen == [org_a.pk]
    with pytest.raises(TenantNotActive):
        current_organization()


@pytest.mark.django_db
def test_middleware_clears_the_tenant_after_each_request(client_a, org_a):
    response = client_a.get("/dashboard/")
    assert response.status_code == 200
    assert response.wsgi_request.organization == org_a
    with pytest.raises(TenantNotActive):
        current_organization()


@pytest.mark.django_db
def test_member_of_two_orgs_switches_between_them(client, org_a, org_b, make_member):
    user = make_member(org_a, Role.ADMIN)
    from tests.accounts.factories import MembershipFactory

    MembershipFactory(organization=org_b, user=user, role=Role.VIEWER)
    client.force_login(user)
    assert client.get("/dashboard/").wsgi_request.organization == org_a
    response = client.post(f"/settings/switch/{org_b.pk}/")
    assert response.status_code == 302
    assert client.get("/dashboard/").wsgi_request.organization == org_b


@pytest.mark.django_db
def test_switching_to_an_org_you_do_not_belong_to_is_404(client_a, org_a, org_b):
    response = client_a.post(f"/settings/switch/{org_b.pk}/")
    assert response.status_code == 404
    assert client_a.get("/dashboard/").wsgi_request.organization == org_a
