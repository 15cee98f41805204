"""Insights: first-party usage analytics and security monitoring.

Usage analytics (page views, feature events, logins, time on page) are
recorded only for people who allowed analytics cookies, stored in our own
database (no third-party tool), aggregated daily and shown to platform staff.
The request/action log (who did what, from where, with what outcome) serves
security monitoring: bursts of failed logins or API authentication failures
alert staff by email. Both are deleted after their retention periods by the
privacy retention sweep (see ``insights/personal_data.py``).
"""
