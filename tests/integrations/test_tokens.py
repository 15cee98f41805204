import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from accounts.roles import Role
from accounts.tenancy import all_tenants, tenant
from insights.models import RequestLog
from integrations.models import ApiToken
from integrations.scopes import SCOPES, permissions_for
from integrations.services import token_digest
from support.models import Ticket
from tests.integrations.factories import make_token
from tests.support.factories import TicketFactory

pytestmark = pytest.mark.django_db


def bearer(plaintext):
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def test_scopes_map_to_role_permissions():
    assert permissions_for(["routers:read"]) == {"routers.view"}
    assert permissions_for(["routers:write"]) == {"routers.view", "routers.manage"}
    assert "api:write" not in SCOPES
    assert "api:read" not in SCOPES
    assert not any("org.delete" in perms for perms in SCOPES.values())


def test_token_is_shown_once_and_stored_hashed(client_a, org_a):
    # when an owner creates a token in the dashboard
    response = client_a.post(
        reverse("integrations:token_create"),
        {"name": "Accounting", "scopes": ["support:read", "members:read"]},
    )
    # then the page shows the token once and the database holds only a digest
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    plaintext = response.context["plaintext"]
    assert plaintext.startswith("np_")
    assert plaintext in response.content.decode()
    with tenant(org_a):
        token = ApiToken.objects.get()
    assert token.token_hash == token_digest(plaintext)
    with all_tenants():
        row = ApiToken.objects.values().get()
    assert plaintext not in str(row)
    listing = client_a.get(reverse("integrations:index")).content.decode()
    assert token.prefix in listing
    assert plaintext not in listing


def test_token_authenticates_as_its_organisation(client, org_a, org_b, owner_a, owner_b):
    token, plaintext = make_token(org_a, owner_a, ["support:read", "org:read"])
    with tenant(org_b):
        TicketFactory(organization=org_b, opened_by=owner_b, subject="Bravo's secret")
    with tenant(org_a):
        TicketFactory(organization=org_a, opened_by=owner_a, subject="Alpha's ticket")
    response = client.get("/api/v1/support/tickets/", **bearer(plaintext))
    assert response.status_code == 200
    subjects = [row["subject"] for row in response.json()["results"]]
    assert subjects == ["Alpha's ticket"]
    assert client.get("/api/v1/organization/", **bearer(plaintext)).json()["name"] == org_a.name
    with tenant(org_a):
        token.refresh_from_db()
    assert token.last_used_at is not None
    assert token.last_used_ip == "127.0.0.1"


def test_read_scope_cannot_write_and_nothing_changes(client, org_a, owner_a):
    _token, plaintext = make_token(org_a, owner_a, ["support:read"])
    response = client.post(
        "/api/v1/support/tickets/",
        {"subject": "x", "category": "other", "body": "y"},
        content_type="application/json",
        **bearer(plaintext),
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    with tenant(org_a):
        assert not Ticket.objects.exists()


def test_token_without_area_scope_is_refused(client, org_a, owner_a):
    _token, plaintext = make_token(org_a, owner_a, ["routers:read"])
    assert client.get("/api/v1/members/", **bearer(plaintext)).status_code == 403


def test_write_scope_opens_ticket(client, org_a, owner_a, on_commit):
    _token, plaintext = make_token(org_a, owner_a, ["support:write"])
    with on_commit():
        response = client.post(
            "/api/v1/support/tickets/",
            {"subject": "From the API", "category": "billing", "body": "Invoice question"},
            content_type="application/json",
            **bearer(plaintext),
        )
    assert response.status_code == 201, response.content
    assert response.json()["subject"] == "From the API"
    with tenant(org_a):
        assert Ticket.objects.get().opened_by == owner_a


def test_token_never_exceeds_its_creators_current_role(client, org_a, owner_a, make_member):
    admin = make_member(org_a, Role.ADMIN)
    _token, plaintext = make_token(org_a, admin, ["support:write"])
    with tenant(org_a):
        Membership.objects.filter(user=admin).update(role=Role.VIEWER)
    response = client.post(
        "/api/v1/support/tickets/",
        {"subject": "x", "category": "other", "body": "y"},
        content_type="application/json",
        **bearer(plaintext),
    )
    assert response.status_code == 403
    assert client.get("/api/v1/support/tickets/", **bearer(plaintext)).status_code == 200
    with tenant(org_a):
        Membership.objects.filter(user=admin).delete()
    assert client.get("/api/v1/support/tickets/", **bearer(plaintext)).status_code == 401


@pytest.mark.parametrize(
    "header", ["Bearer np_nope_nope", "Bearer", "Token a b", "Bearer \u00e9t\u00e9"]
)
def test_bad_tokens_get_401_in_the_error_shape_and_are_logged(client, header):
    response = client.get(
        "/api/v1/organization/", HTTP_AUTHORIZATION=header.encode().decode("latin-1")
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] in {"authentication_failed", "not_authenticated"}
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert RequestLog.objects.filter(kind=RequestLog.Kind.API_AUTH_FAILED).exists()


def test_revoked_and_expired_tokens_stop_working(client, client_a, org_a, owner_a):
    token, plaintext = make_token(org_a, owner_a, ["org:read"])
    assert client.get("/api/v1/organization/", **bearer(plaintext)).status_code == 200
    # revoke through the dashboard (GET asks for confirmation, POST revokes)
    confirm = client_a.get(reverse("integrations:token_revoke", args=[token.pk]))
    assert "cannot be undone" in confirm.content.decode()
    client_a.post(reverse("integrations:token_revoke", args=[token.pk]))
    assert client.get("/api/v1/organization/", **bearer(plaintext)).status_code == 401
    token2, plaintext2 = make_token(org_a, owner_a, ["org:read"])
    with tenant(org_a):
        ApiToken.objects.filter(pk=token2.pk).update(expires_at=timezone.now())
    assert client.get("/api/v1/organization/", **bearer(plaintext2)).status_code == 401


def test_members_below_admin_cannot_manage_tokens(client, org_a, owner_a, make_member):
    token, _plaintext = make_token(org_a, owner_a, ["org:read"])
    support = make_member(org_a, Role.SUPPORT)
    client.force_login(support)
    assert client.get(reverse("integrations:index")).status_code == 403
    assert client.post(reverse("integrations:token_revoke", args=[token.pk])).status_code == 403
    response = client.post(
        reverse("integrations:token_create"), {"name": "x", "scopes": ["org:read"]}
    )
    assert response.status_code == 403
    with tenant(org_a):
        assert ApiToken.objects.get().revoked_at is None
        assert ApiToken.objects.count() == 1


def test_throttle_per_token(client, org_a, owner_a, settings):
    from rest_framework.throttling import SimpleRateThrottle

    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "api_token": "3/minute"}
    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = rates
    try:
        _t1, first = make_token(org_a, owner_a, ["org:read"], name="one")
        _t2, second = make_token(org_a, owner_a, ["org:read"], name="two")
        codes = [client.get("/api/v1/organization/", **bearer(first)).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        limited = client.get("/api/v1/organization/", **bearer(first))
        assert limited.json()["error"]["code"] == "throttled"
        assert "Retry-After" in limited
        assert client.get("/api/v1/organization/", **bearer(second)).status_code == 200
    finally:
        SimpleRateThrottle.THROTTLE_RATES = original


def test_cursor_pagination_filtering_and_ordering(client, org_a, owner_a):
    _token, plaintext = make_token(org_a, owner_a, ["support:read"])
    with tenant(org_a):
        for index in range(7):
            TicketFactory(
                organization=org_a,
                opened_by=owner_a,
                subject=f"T{index}",
                priority="urgent" if index % 2 else "low",
            )
    seen, url = [], "/api/v1/support/tickets/?page_size=3"
    while url:
        body = client.get(url, **bearer(plaintext)).json()
        seen += [row["subject"] for row in body["results"]]
        url = body["next"]
    assert seen == [f"T{i}" for i in reversed(range(7))]
    urgent = client.get("/api/v1/support/tickets/?priority=urgent", **bearer(plaintext)).json()
    assert {row["subject"] for row in urgent["results"]} == {"T1", "T3", "T5"}
    oldest = client.get("/api/v1/support/tickets/?ordering=id", **bearer(plaintext)).json()
    assert oldest["results"][0]["subject"] == "T0"
    bad = client.get("/api/v1/support/tickets/?priority=nonsense", **bearer(plaintext))
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "invalid"


def test_foreign_ticket_is_404_with_token(client, org_a, org_b, owner_a, owner_b):
    _token, plaintext = make_token(org_a, owner_a, ["support:write"])
    with tenant(org_b):
        ticket = TicketFactory(organization=org_b, opened_by=owner_b)
    assert (
        client.get(f"/api/v1/support/tickets/{ticket.pk}/", **bearer(plaintext)).status_code == 404
    )
    reply = client.post(
        f"/api/v1/support/tickets/{ticket.pk}/messages/",
        {"body": "hi"},
        content_type="application/json",
        **bearer(plaintext),
    )
    assert reply.status_code == 404
    assert reply.json() == {"error": {"code": "not_found", "message": "Not found."}}


def test_api_docs_are_served_without_cdn(client):
    page = client.get(reverse("api_docs")).content.decode()
    assert "/static/vendor/swagger-ui-bundle.js" in page
    assert "http" not in page.replace("http-equiv", "")  # no external URL at all
    schema = client.get(reverse("api_schema"))
    assert schema.status_code == 200
    assert b"/api/v1/support/tickets/" in schema.content
