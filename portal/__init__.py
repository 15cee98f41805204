"""Portal: the public hotspot landing pages (captive portal) end customers see.

Owns landing pages (branding, ordered content blocks, images), the builder
with its phone-sized preview, the router hand-off (login.html, RouterOS
commands, CHAP/PAP hand-back), voucher login with guess limiting, buying a
package from the page (purchases and their fulfilment into a voucher and a
logged-in device), voucher recovery, and the end customer's "your data"
request form. Vouchers, routers, payments, customers and privacy requests
belong to their own apps; the portal reaches them through portal/integrations.py.
"""
