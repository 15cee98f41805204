"""Support: tickets from operators to platform staff, and their messages."""
