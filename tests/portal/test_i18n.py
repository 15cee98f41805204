import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from portal import services
from portal.pagecache import page_config_clear
from tests.portal.conftest import handoff_params

PORTAL = Path(__file__).resolve().parents[2] / "portal"
CATALOG = PORTAL / "locale" / "fr" / "LC_MESSAGES"
PUBLIC_SOURCES = [
    *sorted((PORTAL / "templates" / "portal" / "public").glob("*.html")),
    *sorted((PORTAL / "templates" / "emails").glob("*.txt")),
    PORTAL / "notices.py",
    PORTAL / "datarequests.py",
    PORTAL / "purchases.py",
    PORTAL / "i18n.py",
]


def _entries():
    text = (CATALOG / "django.po").read_text(encoding="utf-8")
    for entry in text.split("\n\n")[1:]:
        msgid = "".join(re.findall(r'"(.*)"', entry.split("msgid_plural")[0].split("msgstr")[0]))
        msgstrs = re.findall(r'msgstr(?:\[\d\])? ((?:".*"\n?)+)', entry)
        yield msgid, ["".join(re.findall(r'"(.*)"', s)) for s in msgstrs]


def test_every_string_an_end_customer_sees_has_a_french_translation():
    text = "\n".join(path.read_text(encoding="utf-8") for path in PUBLIC_SOURCES)
    text = re.sub(r'"\s*\n\s*"', "", text)  # join Python's adjacent string literals

    def shown_publicly(msgid):
        return f'"{msgid}"' in text or f"%}}{msgid}{{%" in text

    untranslated = [
        msgid
        for msgid, msgstrs in _entries()
        if msgid and shown_publicly(msgid) and not all(msgstrs)
    ]
    assert untranslated == []


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="gettext's msgfmt is not installed")
def test_the_committed_mo_file_matches_the_po_file(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(
        ["msgfmt", "-o", str(compiled), str(CATALOG / "django.po")], check=True, timeout=30
    )
    with open(compiled, "rb") as fresh, open(CATALOG / "django.mo", "rb") as committed:
        assert (
            gettext.GNUTranslations(fresh)._catalog == gettext.GNUTranslations(committed)._catalog
        )


@pytest.fixture
def french_page(hotspot, org_a, in_tenant):
    with in_tenant(org_a):
        services.landing_page_update(page=hotspot["page"], actor=None, language="fr")
    page_config_clear()
    return hotspot


@pytest.mark.django_db
def test_french_page_speaks_french(client, french_page):
    response = client.get("/p/kofi-cafe/", handoff_params())
    body = response.content.decode()
    assert '<html lang="fr">' in body
    assert "Code du ticket" in body
    assert "Se connecter" in body
    assert "Vos données" in body
    assert "Voucher code" not in body
    assert response["Content-Language"] == "fr"


@pytest.mark.django_db
def test_wrong_code_message_is_in_the_pages_language(client, french_page, settings):
    settings.PORTAL_GUESSES_PER_DEVICE = 2
    token = re.search(
        r'name="h" value="([^"]+)"',
        client.get("/p/kofi-cafe/", handoff_params()).content.decode(),
    ).group(1)
    wrong = client.post("/p/kofi-cafe/login/", {"h": token, "code": "NET-NOPE-0001"})
    assert "Ce code n’est pas valide." in wrong.content.decode()
    locked = client.post("/p/kofi-cafe/login/", {"h": token, "code": "NET-NOPE-0002"})
    assert re.search(r"réessayez dans 15 minutes \(à \d\d:\d\d\)", locked.content.decode())


@pytest.mark.django_db
def test_visitors_browser_language_does_not_change_the_page(client, french_page):
    body = client.get("/p/kofi-cafe/", HTTP_ACCEPT_LANGUAGE="en-GB,en").content.decode()
    assert "Code du ticket" in body
