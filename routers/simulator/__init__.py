"""A RouterOS API simulator: MikroTik hotspot routers that speak the real API
wire protocol on local ports, so tests, the bench and the demo exercise the
production client (librouteros) end to end.

    from routers.simulator import SimFleet

    with SimFleet() as fleet:
        router = fleet.add(password="s3cret", hotspot_users=20, active_sessions=5)
        router.port                      # an ephemeral port on 127.0.0.1
        router.hotspot_active            # what the router holds now
        router.advance(600)              # ten minutes later: bytes grew
        router.latency = 0.05            # fault knobs, read per command
        router.black_hole = True

``python manage.py routeros_sim`` serves a fleet from the command line.
"""

from routers.simulator.router import CommandError, SimRouter
from routers.simulator.server import SimFleet
from routers.simulator.tls import Certificate, self_signed_certificate

__all__ = ["Certificate", "CommandError", "SimFleet", "SimRouter", "self_signed_certificate"]
