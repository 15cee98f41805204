"""Customers: end customers of an operator (hotspot and PPPoE), their devices and usage records, CSV import and export."""
