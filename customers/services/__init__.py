"""Writes (``<entity>_<verb>``, keyword-only, one transaction each), one module per area."""
