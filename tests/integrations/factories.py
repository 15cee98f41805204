from accounts.tenancy import tenant
from integrations.services import api_token_create, webhook_endpoint_create


def make_token(organization, user, scopes, name="Integration"):
    with tenant(organization):
        return api_token_create(organization=organization, actor=user, name=name, scopes=scopes)


def make_endpoint(organization, user, url, events=("router.offline",), scopes=("routers:read",)):
    with tenant(organization):
        return webhook_endpoint_create(
            organization=organization,
            actor=user,
            url=url,
            events=list(events),
            scopes=list(scopes),
        )
