from nettportal.errors import ApplicationError


def form_error(form, error: ApplicationError) -> None:
    """Show a service's error next to its field, or above the form."""
    if error.field and error.field in form.fields:
        form.add_error(error.field, error.message)
    else:
        form.add_error(None, error.message)


def client_ip(request) -> str:
    """The client address, honouring the same proxy settings as login throttling."""
    from allauth.account.adapter import get_adapter

    try:
        return get_adapter().get_client_ip(request)
    except Exception:  # a malformed forwarding header must not break the page
        return request.META.get("REMOTE_ADDR", "")
