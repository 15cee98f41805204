"""Customers: an operator's end customers (hotspot and PPPoE).

Owns customer records and tags, the devices (MAC addresses) seen for each,
PPPoE service accounts kept as ``/ppp/secret`` on routers, per-session usage
records built from router polling with daily rollups, CSV import with a
row-by-row error report, and CSV/JSON export of the filtered list.
"""
