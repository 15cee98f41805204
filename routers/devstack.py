"""``make run`` starts a small simulated fleet for the demo organisation.

Fixed ports (DEMO_BASE_PORT…) because the demo routers in the database point
at them; this is only for the local development stack, never for tests.
"""

import sys

from routers.demo import DEMO_BASE_PORT, DEMO_FLEET, DEMO_PASSWORD, DEMO_USERNAME


def processes(port: int) -> list[tuple[str, list[str]]]:
    return [
        (
            "routers-sim",
            [
                sys.executable,
                "manage.py",
                "routeros_sim",
                "--count",
                str(len(DEMO_FLEET)),
                "--port",
                str(DEMO_BASE_PORT),
                "--identity",
                "Demo",
                "--username",
                DEMO_USERNAME,
                "--password",
                DEMO_PASSWORD,
                "--users",
                "60",
                "--active",
                "14",
                "--ppp-secrets",
                "8",
                "--ppp-active",
                "3",
                "--black-hole",
                "1",  # the last demo router shows what "offline" looks like
                "--seed",
                "2026",
            ],
        )
    ]
