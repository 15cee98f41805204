"""Billing: payments, payment-processor adapters (one module each), invoices, receipts and platform fees."""
