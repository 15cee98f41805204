"""Writes (``<entity>_<verb>``, keyword-only), one module per area.

Services that call a payment processor are the exception to "one service, one
transaction": a database transaction is never held open across a network call,
so they commit the payment first, call the processor, then record the answer in
a second short transaction.
"""
