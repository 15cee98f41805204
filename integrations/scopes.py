"""API scopes, derived from the role permissions in ``accounts/roles.py``.

Each area of ``PERMISSIONS`` gets ``<area>:read`` (grants ``<area>.view``) and
``<area>:write`` (grants ``<area>.manage``; write implies read). Other
permissions (``org.delete``) and the ``api`` area itself (a token never mints
tokens) are never grantable. A new area added to ``PERMISSIONS`` becomes a
scope without editing this file.
"""

from accounts.roles import PERMISSIONS

NOT_GRANTABLE_AREAS = frozenset({"api"})
_ACTIONS = {"view": "read", "manage": "write"}


def _build():
    scopes: dict[str, frozenset[str]] = {}
    for permission in PERMISSIONS:
        area, action = permission.split(".", 1)
        if area in NOT_GRANTABLE_AREAS or action not in _ACTIONS:
            continue
        scopes[f"{area}:{_ACTIONS[action]}"] = frozenset({permission})
    for scope in list(scopes):
        area, kind = scope.split(":")
        if kind == "write" and f"{area}:read" in scopes:
            scopes[scope] = scopes[scope] | scopes[f"{area}:read"]
    return dict(sorted(scopes.items()))


SCOPES: dict[str, frozenset[str]] = _build()
ALL_SCOPES = tuple(SCOPES)


def permissions_for(scopes) -> frozenset[str]:
    granted: set[str] = set()
    for scope in scopes:
        granted |= SCOPES.get(scope, frozenset())
    return frozenset(granted)


def scope_choices():
    """``(scope, label)`` pairs grouped by area, for forms."""
    return [(scope, scope.replace(":", " — ")) for scope in ALL_SCOPES]


def areas():
    """``[(area, read_scope_or_None, write_scope_or_None)]`` for the scope picker."""
    found = {}
    for scope in ALL_SCOPES:
        area, kind = scope.split(":")
        found.setdefault(area, {})[kind] = scope
    return [(area, kinds.get("read"), kinds.get("write")) for area, kinds in found.items()]


def validate_scopes(scopes) -> list[str]:
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        from nettportal.errors import ValidationFailed

        raise ValidationFailed(f"Unknown scopes: {', '.join(unknown)}.", field="scopes")
    return sorted(set(scopes))
