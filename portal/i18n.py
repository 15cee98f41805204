"""Strings from other modules that the landing page shows, so portal's catalogue translates them.

``makemessages`` run in portal/ only sees portal's files; these messages come
from nettportal.phones (phone validation on the public forms).
"""

from django.utils.translation import gettext_noop

FOREIGN_MESSAGES = (
    gettext_noop("Enter a phone number."),
    gettext_noop("Enter a valid phone number, e.g. +233 20 123 4567."),
    gettext_noop("This is not a valid phone number for its country."),
)
