"""What the operator installs on the router: ``login.html`` and the RouterOS commands.

MikroTik's hotspot serves ``login.html`` from its HTML directory to every
device that is not logged in, replacing ``$(...)`` variables. Ours sends the
device on to ``/p/<slug>/`` with the hand-off values (see
:mod:`portal.handoff`) in a plain GET form, which the router's page submits
itself (a button is shown where scripts are off).

The walled garden lets not-yet-logged-in devices reach NettPortal and the
payment pages; ``/ip hotspot walled-garden ip`` entries with ``dst-host``
cover HTTPS, which the plain walled garden cannot see into.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings

# (query name, RouterOS variable) in the order the page reads them.
HANDOFF_VARIABLES = (
    ("mac", "$(mac)"),
    ("ip", "$(ip)"),
    ("link-login-only", "$(link-login-only)"),
    ("link-orig", "$(link-orig)"),
    ("chap-id", "$(chap-id)"),
    ("chap-challenge", "$(chap-challenge)"),
    ("identity", "$(identity)"),
    ("error", "$(error)"),
)

# Hosts a device must reach before it is online, per payment method. Billing's
# processors may declare more (integrations.processor_hosts); these are the
# documented checkout hosts.
PROCESSOR_HOSTS = {
    "paystack": ("checkout.paystack.com", "*.paystack.com", "*.paystack.co"),
    # M-Pesa STK Push reaches the phone over the mobile network: no host needed.
    "mpesa": (),
}


def landing_url(slug: str) -> str:
    return f"{settings.SITE_URL}/p/{slug}/"


def login_html(*, slug: str, title: str) -> str:
    """The router's login.html for the page at ``slug``."""
    inputs = "\n".join(
        f'<input type="hidden" name="{name}" value="{variable}">'
        for name, variable in HANDOFF_VARIABLES
    )
    safe_title = (
        title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("$", "")
    )
    return f"""<!DOCTYPE html>
<!-- NettPortal hand-off for "{safe_title}". Generated file: download it again after changing the page address. -->
<html>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="pragma" content="no-cache">
<meta http-equiv="expires" content="-1">
<title>{safe_title}</title>
</head>
<body style="font-family:sans-serif;text-align:center;padding:2em 1em">
<form name="np" action="{landing_url(slug)}" method="get">
{inputs}
<noscript><p>Tap to continue / Touchez pour continuer</p><button type="submit" style="font-size:1.2em;padding:.6em 1.4em">Continue</button></noscript>
</form>
<script>document.np.submit();</script>
</body>
</html>
"""


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def walled_garden_hosts(*, methods: tuple[str, ...], extra: tuple[str, ...] = ()) -> list[str]:
    hosts = [_host(settings.SITE_URL)]
    for method in methods:
        hosts.extend(PROCESSOR_HOSTS.get(method, ()))
    hosts.extend(extra)
    seen = []
    for host in hosts:
        if host and host not in seen:
            seen.append(host)
    return seen


def routeros_script(
    *,
    slug: str,
    title: str,
    methods: tuple[str, ...] = (),
    extra_hosts: tuple[str, ...] = (),
    hotspot_profile: str = "",
    dns_name: str = "",
) -> str:
    """RouterOS commands that install login.html and open the walled garden."""
    profile = f'[find name="{hotspot_profile}"]' if hotspot_profile else "[find]"
    lines = [
        f'# NettPortal landing page "{title.replace(chr(34), "")}" -> {landing_url(slug)}',
        "# Paste into the router's terminal (Winbox: New Terminal) as an admin.",
        "",
        "# 1. Download the hand-off page into the hotspot's HTML directory.",
        f'/tool fetch url="{settings.SITE_URL}/p/{slug}/login.html" dst-path=hotspot/login.html',
        "",
        "# 2. Let the hotspot accept CHAP and PAP logins from the page.",
        f"/ip hotspot profile set {profile} html-directory=hotspot login-by=http-chap,http-pap,cookie"
        + (f" dns-name={dns_name}" if dns_name else ""),
        "",
        "# 3. Let devices reach NettPortal and the payment pages before they are logged in.",
    ]
    for host in walled_garden_hosts(methods=methods, extra=extra_hosts):
        comment = f'comment="NettPortal {slug}"'
        lines.append(f"/ip hotspot walled-garden add dst-host={host} action=allow {comment}")
        if not host.startswith("*"):  # IP entries resolve one name; wildcards are HTTP-only
            lines.append(
                f"/ip hotspot walled-garden ip add dst-host={host} action=accept {comment}"
            )
    return "\n".join(lines) + "\n"
