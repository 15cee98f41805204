"""Integrations: what lets an operator's other tools talk to NettPortal.

Owns per-organisation API tokens (scoped, stored hashed), the DRF
authentication that turns a token into a tenant, the shared REST toolkit
(cursor pagination, per-token throttling), the API docs page, and outgoing
signed webhooks with their delivery log. An integration only ever gets the
scopes the operator granted it (privacy policy §3: "with your permission").
"""
