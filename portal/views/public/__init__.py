"""The public landing pages at /p/<slug>/: no login, no cookies, no JavaScript.

``common`` holds :func:`~portal.views.public.common.public_page`, the decorator
every view goes through; ``landing`` the page and voucher login; ``buy``
purchases and recovery; ``data`` the "your data" requests.
"""
