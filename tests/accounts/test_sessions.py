import pytest
from allauth.usersessions.models import UserSession

from tests.accounts.factories import TEST_PASSWORD

FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 13; SM-A135F) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Mobile Safari/537.36"
)


def _login(client, user, on_commit):
    with on_commit():
        return client.post("/account/login/", {"login": user.email, "password": TEST_PASSWORD})


@pytest.mark.django_db
def test_sessions_page_lists_each_login_and_revokes_others(owner_a, on_commit, client):
    from django.test import Client

    laptop = Client(HTTP_USER_AGENT=FIREFOX_LINUX, REMOTE_ADDR="10.0.0.5")
    phone = Client(HTTP_USER_AGENT=CHROME_ANDROID, REMOTE_ADDR="10.0.0.9")
    assert _login(laptop, owner_a, on_commit).status_code == 302
    assert _login(phone, owner_a, on_commit).status_code == 302

    page = laptop.get("/settings/sessions/").content.decode()
    assert "Firefox 128" in page and "Linux" in page
    assert "Chrome Mobile" in page and "Android 13" in page
    assert "10.0.0.9" in page and "This session" in page

    phone_session = UserSession.objects.get(user=owner_a, user_agent=CHROME_ANDROID)
    laptop.post(f"/settings/sessions/{phone_session.pk}/revoke/")
    assert phone.get("/dashboard/").status_code == 302  # logged out
    assert laptop.get("/dashboard/").status_code == 200
    assert UserSession.objects.filter(user=owner_a).count() == 1


@pytest.mark.django_db
def test_revoke_all_other_sessions_keeps_the_current_one(owner_a, on_commit):
    from django.test import Client

    clients = [Client(HTTP_USER_AGENT=FIREFOX_LINUX) for _ in range(3)]
    for c in clients:
        _login(c, owner_a, on_commit)
    clients[0].post("/settings/sessions/revoke-others/")
    assert clients[0].get("/dashboard/").status_code == 200
    assert clients[1].get("/dashboard/").status_code == 302
    assert clients[2].get("/dashboard/").status_code == 302


@pytest.mark.django_db
def test_cannot_revoke_someone_elses_session(owner_a, owner_b, on_commit):
    from django.test import Client

    mine, theirs = Client(), Client(HTTP_USER_AGENT=CHROME_ANDROID)
    _login(mine, owner_a, on_commit)
    _login(theirs, owner_b, on_commit)
    other = UserSession.objects.get(user=owner_b)
    assert mine.post(f"/settings/sessions/{other.pk}/revoke/").status_code == 404
    assert theirs.get("/dashboard/").status_code == 200


@pytest.mark.django_db
def test_email_on_login_from_a_new_device_only(owner_a, on_commit, mailoutbox):
    from django.test import Client

    _login(Client(HTTP_USER_AGENT=FIREFOX_LINUX), owner_a, on_commit)
    _login(Client(HTTP_USER_AGENT=FIREFOX_LINUX), owner_a, on_commit)
    assert mailoutbox == []  # first device ever, then the same device again
    _login(Client(HTTP_USER_AGENT=CHROME_ANDROID, REMOTE_ADDR="10.1.2.3"), owner_a, on_commit)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [owner_a.email]
    assert "Chrome Mobile on Android" in message.body and "10.1.2.3" in message.body
