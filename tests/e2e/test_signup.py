import re

import pytest

from accounts.models import Membership, Organization, User
from accounts.roles import Role
from accounts.tenancy import all_tenants


@pytest.fixture
def published_policies(transactional_db):
    """The policy documents come from a data migration, which an earlier
    transactional test (any browser test) flushes; publish them again."""
    from importlib import import_module

    from django.apps import apps

    import_module("privacy.migrations.0002_publish_first_documents").publish(apps, None)


@pytest.mark.django_db(transaction=True)
def test_sign_up_verify_email_and_invite_a_member(page, mail_outbox, published_policies):
    # given a new operator on the sign-up page
    page.goto("/account/signup/")
    page.fill("input[name=full_name]", "Ama Mensah")
    page.fill("input[name=email]", "ama@kumasi-wifi.test")
    page.fill("input[name=organization_name]", "Kumasi Wi-Fi")
    page.fill("input[name=phone]", "020 123 4567")
    page.select_option("select[name=country]", "GH")
    page.fill("input[name=password1]", "Strong-Pass-2026")
    page.fill("input[name=password2]", "Strong-Pass-2026")
    page.check("input[name=is_business_adult]")
    page.check("input[name=accept_policies]")
    page.click("button[type=submit]")

    # then a verification email arrives and nothing is reachable before verifying
    page.wait_for_url("**/account/confirm-email/**")
    assert len(mail_outbox) == 1
    link = re.search(r"https?://\S+/account/confirm-email/\S+/", mail_outbox[0].body).group(0)
    path = "/account/" + link.split("/account/", 1)[1]

    # when they follow the link and confirm
    page.goto(path)
    page.click("button[type=submit]")

    # then they land on their dashboard as owner of the new organisation
    page.wait_for_url("**/dashboard/")
    assert page.locator(".topbar", has_text="Kumasi Wi-Fi").is_visible()
    user = User.objects.get(email="ama@kumasi-wifi.test")
    organization = Organization.objects.get(name="Kumasi Wi-Fi")
    assert organization.phone == "+233201234567"
    with all_tenants():
        assert Membership.objects.get(user=user).role == Role.OWNER
    assert user.confirmed_adult_business_at is not None
    assert user.policy_acceptances.count() == 3

    # when they invite a technician
    page.click(".sidebar >> text=Members")
    page.click("text=Invite a member")
    page.fill("input[name=email]", "kofi@kumasi-wifi.test")
    page.select_option("select[name=role]", "technician")
    page.click("button:has-text('Send invitation')")

    # then the invitation is listed and emailed
    page.wait_for_url("**/settings/members/")
    assert page.locator("td", has_text="kofi@kumasi-wifi.test").is_visible()
    invitation_mail = mail_outbox[-1]
    assert invitation_mail.to == ["kofi@kumasi-wifi.test"]
    assert "/invitations/accept/" in invitation_mail.body
