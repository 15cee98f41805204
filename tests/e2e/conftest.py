"""Browser tests: Playwright driving Debian's Chromium (never a downloaded browser).

Skipped with a clear reason when Chromium is absent; CI sets
NETTPORTAL_REQUIRE_E2E=1 so a missing browser fails instead of skipping.
"""

import os
import shutil

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop vs Django ORM

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module. Not per session: Playwright's sync API keeps an
    asyncio loop running in the main thread while it is open, and tests that run
    their own loop later (asyncio.run in the router client tests) would fail."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("NETTPORTAL_REQUIRE_E2E"):
            pytest.fail(f"Chromium not found at {CHROMIUM} (browser tests are required here)")
        pytest.skip("Chromium is not installed (apt-get install chromium); browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    """A 360×640 phone-sized page, like a cheap Android handset."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 360, "height": 640},
        is_mobile=True,
        has_touch=True,
        user_agent=(
            "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 "
            "(KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36"
        ),
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def login_as(page):
    """``login_as(user)`` logs the browser in through the real login form."""
    from tests.accounts.factories import TEST_PASSWORD

    def login(user, password=TEST_PASSWORD, target=page):
        target.goto("/account/login/")
        target.fill("input[name=login]", user.email)
        target.fill("input[name=password]", password)
        target.click("button[type=submit]")
        target.wait_for_url("**/dashboard/")
        return target

    return login


@pytest.fixture
def mail_outbox():
    """The test email outbox (locmem backend), for reading links from emails."""
    from django.core import mail

    return mail.outbox
