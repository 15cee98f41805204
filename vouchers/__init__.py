"""Vouchers: packages (hotspot user profiles), voucher batches and codes, printing, redemption and pushing to routers."""
