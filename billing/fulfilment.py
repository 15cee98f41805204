"""What a payment pays for, and how its value is given: a small registry.

Billing does not import the apps that sell things. An app registers a handler
for a *purpose* once (in its ``AppConfig.ready``)::

    from billing import fulfilment

    def give_voucher(payment):            # runs once per paid payment
        voucher = voucher_issue_for_payment(payment=payment, package_id=int(payment.purpose_ref))
        return {"voucher_id": voucher.pk,
                "display": {"label": "Your voucher", "value": voucher.code}}

    fulfilment.register("package", give_voucher, label="Package")

The handler runs inside a transaction with the fulfilment row locked; its
writes commit together with the row being marked done, so value is given
exactly once. It returns a JSON-able dict (``display`` is shown to the payer
on the payment page). It raises :class:`FulfilmentRetry` when it cannot finish
*yet* (a router is offline): everything it wrote is rolled back and it runs
again later with back-off. Any other exception marks the fulfilment failed for
staff to look at (the payment stays paid).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


class FulfilmentRetry(Exception):
    """Cannot give the value yet; try again later (nothing the handler wrote is kept)."""


@dataclass(frozen=True)
class Purpose:
    key: str
    handler: Callable
    label: str


_REGISTRY: dict[str, Purpose] = {}


def register(key: str, handler: Callable, *, label: str = "") -> None:
    existing = _REGISTRY.get(key)
    if existing is not None and existing.handler is not handler:
        raise ValueError(f"a fulfilment handler for {key!r} is already registered")
    _REGISTRY[key] = Purpose(key=key, handler=handler, label=label or key.title())


def unregister(key: str) -> None:
    _REGISTRY.pop(key, None)


def get(key: str) -> Purpose | None:
    return _REGISTRY.get(key)


def is_registered(key: str) -> bool:
    return key in _REGISTRY


def purposes() -> dict[str, Purpose]:
    return dict(_REGISTRY)
