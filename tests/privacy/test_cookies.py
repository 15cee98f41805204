import pytest
from django.apps import apps as django_apps
from django.test import RequestFactory

from privacy.consent import COOKIE_NAME, analytics_allowed, cookie_choice
from privacy.models import ConsentEvent

pytestmark = pytest.mark.django_db


def _request_with(cookies: dict):
    request = RequestFactory().get("/dashboard/")
    request.COOKIES.update(cookies)
    return request


def test_analytics_is_off_before_any_choice():
    assert analytics_allowed(_request_with({})) is False
    assert analytics_allowed(_request_with({COOKIE_NAME: "garbage"})) is False
    assert analytics_allowed(_request_with({COOKIE_NAME: "0:analytics"})) is False  # old version
    assert analytics_allowed(_request_with({COOKIE_NAME: "1:essential"})) is False
    assert analytics_allowed(_request_with({COOKIE_NAME: "1:analytics"})) is True


def test_banner_shows_until_a_choice_and_sets_no_analytics_cookie(client_a):
    # before consent: the banner is there and nothing but essential cookies is set
    page = client_a.get("/dashboard/")
    body = page.content.decode()
    assert 'id="cookie-banner"' in body
    assert COOKIE_NAME not in page.cookies
    assert analytics_allowed(page.wsgi_request) is False

    # accepting analytics from the banner returns to the same page, banner gone
    response = client_a.post(
        "/privacy-center/cookies/", {"choice": "analytics", "next": "/settings/members/"}
    )
    assert response.status_code == 302 and response["Location"] == "/settings/members/"
    assert response.cookies[COOKIE_NAME].value == "1:analytics"
    assert response.cookies[COOKIE_NAME]["httponly"]
    after = client_a.get("/dashboard/")
    assert 'id="cookie-banner"' not in after.content.decode()
    assert analytics_allowed(after.wsgi_request) is True


def test_the_choice_can_be_changed_later_and_is_in_the_history(client_a, owner_a):
    client_a.post("/privacy-center/cookies/", {"choice": "analytics", "next": "/dashboard/"})
    settings_page = client_a.get("/privacy-center/cookies/")
    assert "essential and analytics" in settings_page.content.decode()

    client_a.post("/privacy-center/cookies/", {"choice": "essential"})

    page = client_a.get("/dashboard/")
    assert cookie_choice(page.wsgi_request) == "essential"
    assert analytics_allowed(page.wsgi_request) is False
    history = list(
        ConsentEvent.objects.filter(user=owner_a)
        .order_by("at", "pk")
        .values_list("topic", "is_granted", "source")
    )
    assert history == [
        ("analytics_cookies", True, "cookie_banner"),
        ("analytics_cookies", False, "cookie_settings"),
    ]


def test_a_visitor_without_an_account_can_choose_too(client):
    page = client.get("/privacy-center/cookies/")
    assert page.status_code == 200
    response = client.post("/privacy-center/cookies/", {"choice": "essential"})
    assert response.cookies[COOKIE_NAME].value == "1:essential"
    assert not ConsentEvent.objects.exists()


def test_next_may_not_leave_the_site(client_a):
    response = client_a.post(
        "/privacy-center/cookies/", {"choice": "essential", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/privacy-center/cookies/"


def test_an_invalid_choice_changes_nothing(client_a, owner_a):
    response = client_a.post("/privacy-center/cookies/", {"choice": "everything"})
    assert COOKIE_NAME not in response.cookies
    assert not ConsentEvent.objects.filter(user=owner_a).exists()


@pytest.mark.skipif(
    not django_apps.is_installed("insights"), reason="the insights app records analytics"
)
def test_nothing_analytic_is_recorded_before_consent(client_a, org_a):
    from accounts.tenancy import tenant
    from insights.analytics import track_feature
    from insights.models import AnalyticsEvent

    # before any choice, and after choosing essential only: nothing is recorded
    page = client_a.get("/dashboard/")
    with tenant(org_a):  # as during the request
        assert track_feature(page.wsgi_request, "privacy.probe") is None
    assert "data-beacon-url" not in page.content.decode()
    client_a.post("/privacy-center/cookies/", {"choice": "essential"})
    page = client_a.get("/dashboard/")
    with tenant(org_a):
        assert track_feature(page.wsgi_request, "privacy.probe") is None
    with tenant(org_a):
        assert not AnalyticsEvent.objects.exists()

    # after opting in, the same call records
    client_a.post("/privacy-center/cookies/", {"choice": "analytics"})
    page = client_a.get("/dashboard/")
    assert "data-beacon-url" in page.content.decode()
    with tenant(org_a):
        assert track_feature(page.wsgi_request, "privacy.probe") is not None
    with tenant(org_a):
        assert AnalyticsEvent.objects.filter(name="privacy.probe").count() == 1
