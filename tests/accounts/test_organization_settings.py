import pytest

from accounts.models import Organization
from accounts.roles import Role

VALID = {
    "name": "Alpha Wireless Ltd",
    "email": "billing@alpha.test",
    "phone": "+254 712 345678",
    "address_line": "12 Moi Avenue",
    "city": "Nairobi",
    "country": "KE",
    "currency": "KES",
    "time_zone": "Africa/Nairobi",
}


@pytest.mark.django_db
def test_owner_updates_business_details(client_a, org_a):
    response = client_a.post("/settings/organization/", VALID)
    assert response.status_code == 302
    org_a.refresh_from_db()
    assert org_a.name == "Alpha Wireless Ltd"
    assert org_a.phone == "+254712345678"
    assert org_a.currency_symbol == "KSh"
    assert org_a.time_zone == "Africa/Nairobi"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"phone": "555"}, "phone"),
        ({"email": "nope"}, "email"),
        ({"currency": "XYZ"}, "currency"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"name": " "}, "name"),
    ],
)
@pytest.mark.django_db
def test_bad_settings_are_refused_and_nothing_changes(client_a, org_a, change, field):
    before = Organization.objects.values().get(pk=org_a.pk)
    response = client_a.post("/settings/organization/", {**VALID, **change})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Organization.objects.values().get(pk=org_a.pk) == before


@pytest.mark.django_db
def test_members_without_the_right_cannot_change_settings(client, org_a, make_member):
    client.force_login(make_member(org_a, Role.TECHNICIAN))
    before = Organization.objects.values().get(pk=org_a.pk)
    assert client.get("/settings/organization/").status_code == 200  # may look
    assert client.post("/settings/organization/", VALID).status_code == 403
    assert Organization.objects.values().get(pk=org_a.pk) == before
