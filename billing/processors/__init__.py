"""Payment-processor adapters, one module each, behind one small interface
(:class:`billing.processors.base.PaymentProcessor`): start a payment, read a
callback/webhook, query the status, test the credentials.

Nothing outside this package imports ``requests`` for a processor.
Cash and bank transfers have no adapter: staff record them
(:mod:`billing.services.manual`).
"""

from billing.processors.base import (
    NotificationRejected,
    Outcome,
    PaymentProcessor,
    ProcessorError,
    ProcessorRejected,
    ProcessorUnavailable,
    StartRequest,
    StartResult,
    StatusResult,
)


def processor_for(account) -> PaymentProcessor:
    from billing.processors.mpesa import MpesaProcessor
    from billing.processors.paystack import PaystackProcessor

    adapters = {"mpesa": MpesaProcessor, "paystack": PaystackProcessor}
    return adapters[account.kind](account)


__all__ = [
    "NotificationRejected",
    "Outcome",
    "PaymentProcessor",
    "ProcessorError",
    "ProcessorRejected",
    "ProcessorUnavailable",
    "StartRequest",
    "StartResult",
    "StatusResult",
    "processor_for",
]
