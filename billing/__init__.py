"""Billing: payments and what they pay for.

Owns payments (M-Pesa STK Push, Paystack, cash and bank transfers) with their
audit trail, the processor adapters (``billing/processors/``, one module each)
and local fakes of Daraja and Paystack (``billing/fakes/``), exactly-once
fulfilment through a small registry other apps plug into
(:mod:`billing.fulfilment`), receipts, PPPoE subscriptions and customer
invoices with reminders and suspension, customer credit, revenue reports, and
NettPortal's own platform fees and invoices to operators.
"""
