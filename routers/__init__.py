"""Routers: MikroTik routers, the RouterOS client wrapper (the only user of librouteros), polling tasks, status and traffic history, and the RouterOS API simulator."""
