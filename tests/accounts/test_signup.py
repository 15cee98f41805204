import pytest
from django.contrib.auth.hashers import identify_hasher

from accounts.models import Membership, Organization, User
from accounts.roles import Role
from accounts.tenancy import all_tenants
from privacy.models import PolicyAcceptance

VALID = {
    "full_name": "Ama Mensah",
    "email": "ama@kumasi-wifi.test",
    "organization_name": "Kumasi Wi-Fi",
    "phone": "0201234567",
    "country": "GH",
    "password1": "Strong-Pass-2026",
    "password2": "Strong-Pass-2026",
    "is_business_adult": "on",
    "accept_policies": "on",
}


def _nothing_created():
    with all_tenants():
        return (
            not User.objects.exists()
            and not Organization.objects.exists()
            and not Membership.objects.exists()
            and not PolicyAcceptance.objects.exists()
        )


@pytest.mark.django_db
def test_signup_creates_organisation_owner_and_records_policies(client, on_commit, mailoutbox):
    with on_commit():
        response = client.post("/account/signup/", VALID)
    assert response.status_code == 302
    user = User.objects.get(email="ama@kumasi-wifi.test")
    organization = Organization.objects.get()
    assert organization.name == "Kumasi Wi-Fi"
    assert organization.phone == "+233201234567"
    assert organization.currency == "GHS"
    with all_tenants():
        assert Membership.objects.get(organization=organization).user == user
        assert Membership.objects.get(organization=organization).role == Role.OWNER
    accepted = set(user.policy_acceptances.values_list("document__kind", "document__version"))
    assert accepted == {("privacy", "2025-11-30"), ("terms", "2025-11-30"), ("dpa", "2025-11-30")}
    assert user.confirmed_adult_business_at is not None
    assert identify_hasher(user.password).algorithm in {"argon2", "md5"}
    assert len(mailoutbox) == 1 and "confirm" in mailoutbox[0].body.lower()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"is_business_adult": ""}, "is_business_adult", "adults (18+)"),
        ({"accept_policies": ""}, "accept_policies", "accept the terms"),
        ({"phone": "12"}, "phone", "valid phone number"),
        ({"organization_name": " "}, "organization_name", "required"),
        ({"password1": "short", "password2": "short"}, "password1", "too short"),
        (
            {"password1": "onlyletterspassword", "password2": "onlyletterspassword"},
            "password1",
            "numbers or symbols",
        ),
        ({"password2": "Other-Pass-2026"}, "password2", "same password"),
        ({"email": "not-an-email"}, "email", "valid email"),
        ({"country": "XX"}, "country", "valid choice"),
    ],
)
@pytest.mark.django_db
def test_bad_signup_input_gets_a_clear_message_and_creates_nothing(client, change, field, message):
    response = client.post("/account/signup/", {**VALID, **change})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message.lower() in " ".join(errors[field]).lower()
    assert _nothing_created()


@pytest.mark.django_db
def test_signup_with_an_existing_email_does_not_reveal_or_create_anything(client, owner_a):
    before = Organization.objects.count()
    response = client.post("/account/signup/", {**VALID, "email": owner_a.email})
    assert response.status_code == 302  # same answer as a fresh sign-up (no enumeration)
    assert Organization.objects.count() == before
    assert User.objects.filter(email=owner_a.email).count() == 1


@pytest.mark.django_db
def test_login_requires_a_verified_email(client, on_commit):
    with on_commit():
        client.post("/account/signup/", VALID)
    client.logout()
    response = client.post(
        "/account/login/", {"login": VALID["email"], "password": VALID["password1"]}
    )
    assert response.status_code == 302
    assert "confirm-email" in response["Location"]
    assert client.get("/dashboard/").status_code == 302
