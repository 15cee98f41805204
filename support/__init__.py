"""Support: tickets from operators to platform staff.

Owns tickets (subject, category, priority, status, assignee), their threaded
messages and private attachments, and the ticket history. Operators work
their tickets in the dashboard; staff work the queue in the Django admin.
Both sides are emailed about the other's replies.
"""
