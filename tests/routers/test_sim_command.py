"""``manage.py routeros_sim`` serves a fleet that the real client can use."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from routers.routeros import RouterAuthFailed, RouterTarget, connect

ROOT = Path(__file__).resolve().parents[2]


def test_command_serves_routers_on_ephemeral_ports(tmp_path):
    ports_file = tmp_path / "ports.json"
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "routeros_sim",
            "--count",
            "3",
            "--port",
            "0",
            "--tls-port",
            "0",
            "--password",
            "cmd-pw",
            "--active",
            "2",
            "--wrong-password",
            "1",
            "--ports-file",
            str(ports_file),
            "--no-churn",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not ports_file.exists() or not ports_file.read_text():
            assert process.poll() is None, process.stderr.read()
            assert time.monotonic() < deadline
            time.sleep(0.1)
        listing = json.loads(ports_file.read_text())
        assert [item["identity"] for item in listing] == ["Sim-001", "Sim-002", "Sim-003"]
        assert [item["reject_logins"] for item in listing] == [False, False, True]

        first = RouterTarget("127.0.0.1", listing[0]["port"], "admin", "cmd-pw")
        with connect(first) as client:
            assert client.identity().name == "Sim-001"
            assert len(client.hotspot_active()) == 2
        secure = RouterTarget(
            "127.0.0.1", listing[1]["tls_port"], "admin", "cmd-pw", use_tls=True, verify_tls=False
        )
        with connect(secure) as client:
            assert client.identity().name == "Sim-002"
        wrong = RouterTarget("127.0.0.1", listing[2]["port"], "admin", "cmd-pw")
        try:
            connect(wrong)
        except RouterAuthFailed:
            pass
        else:
            raise AssertionError("the last router should refuse logins")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
    assert process.returncode == 0
