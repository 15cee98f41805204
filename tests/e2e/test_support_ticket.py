"""Browser: an operator opens a ticket with an attachment, staff reply in the
admin, and the operator sees the reply on the ticket and in their email."""

import pytest

from accounts.roles import Role
from tests.accounts.factories import TEST_PASSWORD, MembershipFactory, UserFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 128


@pytest.mark.django_db(transaction=True)
def test_ticket_round_trip_between_operator_and_staff(
    browser, page, login_as, live_server, mail_outbox
):
    # given an operator (owner of an organisation) and a staff agent
    operator = MembershipFactory(
        role=Role.OWNER, organization__name="Kumasi Hotspots", user__full_name="Ama Mensah"
    ).user
    staff = UserFactory(email="agent@nettportal.test", is_staff=True, is_superuser=True)

    # when the operator opens a ticket with a screenshot
    login_as(operator)
    page.click(".sidebar >> text=Support")
    page.click("text=Open a ticket")
    page.fill("input[name=subject]", "Vouchers not accepted on Tower 2")
    page.select_option("select[name=category]", "routers")
    page.select_option("select[name=priority]", "high")
    page.fill("textarea[name=body]", "Customers get 'invalid code' since this morning.")
    page.set_input_files(
        "input[name=attachments]",
        files=[{"name": "error.png", "mimeType": "image/png", "buffer": PNG}],
    )
    page.click("button:has-text('Send to support')")
    page.wait_for_selector("text=opened. We will reply by email.")
    ticket_url = page.url
    page.wait_for_selector("a:has-text('error.png')")
    assert any("Vouchers not accepted" in m.subject for m in mail_outbox)

    # and a staff agent answers from the admin queue
    staff_context = browser.new_context(base_url=live_server.url)
    admin = staff_context.new_page()
    admin.goto("/admin/login/")
    admin.fill("input[name=username]", staff.email)
    admin.fill("input[name=password]", TEST_PASSWORD)
    admin.click("input[type=submit]")
    admin.goto("/admin/support/ticket/?status__exact=open")
    admin.click("text=Vouchers not accepted on Tower 2")
    admin.wait_for_url("**/change/**")
    admin.wait_for_selector("a:has-text('error.png')")  # staff can open the attachment
    admin.fill("textarea[name=reply]", "Tower 2 lost its hotspot profile; we pushed it again.")
    admin.click("input[name=_save]")
    admin.wait_for_selector("text=was changed successfully")
    staff_context.close()

    # then the operator sees the reply and the new status on the ticket page
    page.goto(ticket_url)
    page.wait_for_selector("text=we pushed it again")
    assert page.locator("[data-status]").inner_text().strip() == "Waiting on customer"
    assert page.locator("[data-message]").count() == 2
    # and has an email about it, and an unread notification in the top bar
    reply_mails = [m for m in mail_outbox if m.to == [operator.email]]
    assert len(reply_mails) == 1
    assert "we pushed it again" in reply_mails[0].body
    page.wait_for_selector("[data-unread-count]")  # loaded by htmx after the page
    assert page.locator("[data-unread-count]").inner_text() == "1"
