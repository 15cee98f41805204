"""Accounts: organisations (tenants), users, memberships and roles, sign-up,
invitations, known devices and sessions, and the tenancy core every other app
builds on (``accounts.tenancy``)."""
