import pytest
from django.test import override_settings


@pytest.fixture
def fast_timeouts():
    """Short router timeouts so fault tests finish quickly."""
    with override_settings(
        ROUTER_CONNECT_TIMEOUT=0.5, ROUTER_READ_TIMEOUT=0.5, ROUTER_POLL_TIME_LIMIT=5
    ):
        yield
