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
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert client.get("/dashboard/").status_code == 302


@pytest.mark.django_db
def test_throttle_state_lives_in_the_shared_cache(client, owner_a):
    from django.core.cache import cache

    for _ in range(5):
        client.post("/account/login/", {"login": owner_a.email, "password": "wrong"})
    # a new client (another web worker would see the same) is still refused...
    from django.test import Client

    other = Client()
    response = other.post("/account/login/", {"login": owner_a.email, "password": TEST_PASSWORD})
    assert "Too many failed login attempts" in response.content.decode()
    # ...until the cache forgets the failures
    cache.clear()
    response = other.post("/account/login/", {"login": owner_a.email, "password": TEST_PASSWORD})
    assert response.status_code == 302


@pytest.mark.django_db
def test_password_reset_mail_and_new_password(client, owner_a, on_commit, mailoutbox):
    import re

    with on_commit():
        client.post("/account/password/reset/", {"email": owner_a.email})
    assert len(mailoutbox) == 1
    link = re.search(r"/account/password/reset/key/\S+/", mailoutbox[0].body).group(0)
    form_page = client.get(link, follow=True)
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    response = client.post(action, {"password1": "weak", "password2": "weak"})
    assert response.status_code == 200  # refused: too short
    assert not client.login(email=owner_a.email, password="weak")
    response = client.post(
        action, {"password1": "New-Strong-Pass-9", "password2": "New-Strong-Pass-9"}
    )
    assert response.status_code == 302
    owner_a.refresh_from_db()
    assert owner_a.check_password("New-Strong-Pass-9")


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


@pytest.mark.django_db
def test_login_with_totp_asks_for_the_code_and_accepts_a_recovery_code(client, owner_a):
    import time

    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import (
        TOTP,
        format_hotp_value,
        generate_totp_secret,
        hotp_value,
    )

    secret = generate_totp_secret()
    TOTP.activate(owner_a, secret)
    codes = RecoveryCodes.activate(owner_a).get_unused_codes()

    response = client.post("/account/login/", {"login": owner_a.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert "/account/2fa/authenticate/" in response["Location"]
    assert client.get("/dashboard/").status_code == 302  # not logged in yet
    assert client.post("/account/2fa/authenticate/", {"code": "000000"}).status_code == 200
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    assert client.post("/account/2fa/authenticate/", {"code": code}).status_code == 302
    assert client.get("/dashboard/").status_code == 200

    other = type(client)()
    other.post("/account/login/", {"login": owner_a.email, "password": TEST_PASSWORD})
    assert other.post("/account/2fa/authenticate/", {"code": codes[0]}).status_code == 302
    assert other.get("/dashboard/").status_code == 200
