import pytest
pytestmark = pytest.mark.django_db
def test_x(client):
    r = client.get("/account/signup/")
