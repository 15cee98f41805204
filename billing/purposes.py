"""Fulfilment handlers for what other apps sell, registered by billing only when
the owning app has not registered its own (the registry refuses two handlers).

* ``package`` — a hotspot package (``vouchers.Package``): the paid payment gets
  one voucher through ``vouchers.services.voucher_issue_for_payment``, keyed by
  our payment reference, so even a second run would return the same voucher.
  The voucher goes onto the router when the buyer logs in with it (portal).

The imports of ``vouchers`` stay inside the handler: billing itself does not
depend on the vouchers app, which may move this handler into
``vouchers/apps.py`` at any time.
"""

from django.apps import apps
from django.utils.translation import gettext as _

from billing import fulfilment
from nettportal.errors import ValidationFailed


def give_voucher(payment) -> dict:
    from vouchers.models import Package
    from vouchers.services import voucher_issue_for_payment

    package = (
        Package.objects.filter(pk=payment.purpose_ref).first()
        if payment.purpose_ref.isdigit()
        else None
    )
    if package is None:
        raise ValidationFailed(_("The package this payment was for no longer exists."))
    voucher = voucher_issue_for_payment(
        organization=payment.organization,
        package=package,
        payment_reference=payment.reference,
        price=payment.amount,
        currency=payment.currency,
    )
    return {
        "voucher_id": voucher.pk,
        "package_id": package.pk,
        "display": {"label": _("Your voucher code"), "value": voucher.code},
    }


def register_other_apps_purposes() -> None:
    if apps.is_installed("vouchers") and not fulfilment.is_registered("package"):
        fulfilment.register("package", give_voucher, label=_("Hotspot package"))
