"""Vouchers: packages (kept as hotspot user profiles on routers), voucher batches
and codes, printing (PDF cards, CSV), redemption, pushing to routers, and a
voucher's life from unused to used up, expired or revoked — enforced by our
own clock and reconciled with every router."""
