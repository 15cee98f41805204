"""Local fakes of the payment processors' APIs, for tests and the demo.

They follow the documented request and response shapes of Safaricom's Daraja
(OAuth, STK Push, STK query, STK callbacks) and Paystack (initialize, verify,
balance, signed webhooks, a checkout page), and can misbehave on purpose:
failures, slow answers, duplicate, delayed, out-of-order and lost callbacks.

Pure standard library (no Django), so they run inside pytest (port 0) and as
processes for ``make run`` (``python -m billing.fakes.daraja --port 8091``).
"""
