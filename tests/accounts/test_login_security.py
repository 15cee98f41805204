import pytest
from allauth.mfa.models import Authenticator

from accounts.models import Organization
from tests.accounts.factories import TEST_PASSWORD


@pytest.mark.django_db
def test_login_is_throttled_after_repeated_failures(client, owner_a):
    for _ in range(5):
        response = client.post("/account/login/", {"login": owner_a.email, "password": "wrong"})
        assert response.status_code == 200
    response = client.post("/account/login/", {"login": owner_a.email, "password": TEST_PASSWORD})
    # even the right password is refused while the account is throttled
    assert response.status_code in (200, 429)
    assert client.get("/dashboard/").status_code == 302
    assert b"Too many failed login attempts" in response.content or response.status_code == 429


@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2(settings):
    from django.contrib.auth.hashers import identify_hasher

    from tests.accounts.factories import UserFactory

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = UserFactory(password="Strong-Pass-2026")
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.check_password("Strong-Pass-2026")


@pytest.mark.django_db
def test_org_requiring_2fa_sends_members_without_it_to_set_up(client, org_a, owner_a):
    Organization.objects.filter(pk=org_a.pk).update(require_2fa=True)
    client.force_login(owner_a)
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert "/account/2fa/totp/activate/" in response["Location"]
    # the set-up page itself stays reachable (after allauth asks for the password again)
    followed = client.get(response["Location"], follow=True)
    assert followed.status_code == 200
    assert followed.redirect_chain[-1][0].startswith("/account/reauthenticate/")

    Authenticator.objects.create(user=owner_a, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert client.get("/dashboard/").status_code == 200
