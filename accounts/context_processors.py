from accounts.roles import PERMISSIONS


class _Permissions:
    """Template access as ``perms_org.routers_manage``."""

    def __init__(self, role):
        self.role = role

    def __getattr__(self, name):
        permission = name.replace("_", ".", 1)
        allowed = PERMISSIONS.get(permission)
        if allowed is None:
            raise AttributeError(name)
        return self.role in allowed


def tenant(request):
    membership = getattr(request, "membership", None)
    if membership is None:
        return {"organization": None, "membership": None, "perms_org": _Permissions(None)}
    from accounts.selectors import user_memberships

    return {
        "organization": request.organization,
        "membership": membership,
        "perms_org": _Permissions(membership.role),
        "user_memberships": lambda: user_memberships(request.user),
    }
