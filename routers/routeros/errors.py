"""What can go wrong talking to a router, in five kinds the product acts on.

Every failure of the client is one of these, whichever face (sync or async)
raised it, so views show a specific message and the poller marks the router
correctly. Messages never contain the password.
"""

from nettportal.errors import ExternalServiceError


class RouterError(ExternalServiceError):
    """Base class; ``kind`` is stored on the router as its last error kind."""

    kind = "error"
    code = "router_error"


class RouterUnreachable(RouterError):
    """No connection, or the connection was lost (refused, no route, TLS failed)."""

    kind = "unreachable"
    code = "router_unreachable"


class RouterTimeout(RouterError):
    """The router did not answer within the connect or read timeout."""

    kind = "timeout"
    code = "router_timeout"


class RouterAuthFailed(RouterError):
    """The router refused the username or password."""

    kind = "auth_failed"
    code = "router_auth_failed"


class RouterProtocolError(RouterError):
    """The router answered with something that is not the RouterOS API."""

    kind = "protocol"
    code = "router_protocol_error"


class RouterCommandRejected(RouterError):
    """RouterOS answered ``!trap``: the command was understood and refused.

    ``router_message`` is RouterOS's own text (e.g. ``no such item``);
    ``command`` is the command word, e.g. ``/ip/hotspot/user/add``.
    """

    kind = "rejected"
    code = "router_command_rejected"

    def __init__(
        self, message: str, *, router_message: str = "", command: str = "", categories: tuple = ()
    ):
        super().__init__(message)
        self.router_message = router_message
        self.command = command
        self.categories = categories

    @property
    def is_missing_item(self) -> bool:
        """RouterOS said the item (user, session…) does not exist."""
        return "no such item" in self.router_message


ERROR_KINDS = {
    cls.kind: cls
    for cls in (
        RouterUnreachable,
        RouterTimeout,
        RouterAuthFailed,
        RouterProtocolError,
        RouterCommandRejected,
    )
}
