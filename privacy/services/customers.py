"""The operator's duties as controller, for one customer: export, correction,
erasure. Driven by the registry (``customer_path``), so every model that
points to a customer is covered, including ones added later.

``customers.Customer`` comes from the customers app; until it exists these
services refuse with a clear message.
"""

from __future__ import annotations

from django import forms
from django.db import transaction
from django.utils.translation import gettext as _

from nettportal.errors import NotFound, ValidationFailed
from privacy.access_log import access_log_record
from privacy.datasets import children_first, customer_classes, customer_rows
from privacy.erasure import ErasureResult, erase_queryset, mode_for
from privacy.models import AccessLog
from privacy.registry import CUSTOMER_MODEL, REGISTRY, customer_model


def customer_get(*, organization, customer_id):
    """The organisation's customer, or NotFound (another tenant's id is a 404)."""
    model = customer_model()
    if model is None:
        raise NotFound(_("Customers are not available."))
    customer = model.objects.filter(organization=organization, pk=customer_id).first()
    if customer is None:
        raise NotFound(_("No such customer."))
    return customer


def customer_data_summary(*, organization, customer) -> list[dict]:
    """How many rows of each data class belong to the customer (for the page)."""
    summary = []
    for data_class in customer_classes():
        count = customer_rows(data_class, organization, customer.pk).count()
        summary.append(
            {
                "label": data_class.label,
                "category": data_class.category,
                "rows": count,
                "erasure": data_class.erasure,
            }
        )
    return summary


def correction_form_class():
    """A form over the customer's personal fields (from the registry)."""
    model = customer_model()
    data_class = REGISTRY.get(CUSTOMER_MODEL)
    if model is None or data_class is None:
        return None
    editable = [
        name
        for name in data_class.personal_fields
        if model._meta.get_field(name).editable and name not in data_class.all_secret_fields()
    ]
    return forms.modelform_factory(model, fields=editable)


@transaction.atomic
def customer_correct(
    *, organization, customer, actor, data: dict, privacy_request=None, request=None
):
    """Correct the customer's personal fields; validation as the model defines it."""
    form_class = correction_form_class()
    if form_class is None:
        raise NotFound(_("Customers are not available."))
    form = form_class(data, instance=customer)
    if not form.is_valid():
        first_field, errors = next(iter(form.errors.items()))
        raise ValidationFailed(
            str(errors[0]), field=None if first_field == "__all__" else first_field
        )
    changed = list(form.changed_data)
    if changed:
        form.save()
    access_log_record(
        organization=organization,
        action=AccessLog.Action.CHANGE,
        target=customer,
        actor=actor,
        request=request,
        detail={"fields": changed, "reason": "correction request"},
    )
    if privacy_request is not None and changed:
        from privacy.services.requests import privacy_request_note_outcome

        privacy_request_note_outcome(
            privacy_request=privacy_request,
            text=_("Corrected: %(fields)s.") % {"fields": ", ".join(changed)},
        )
    return changed


def customer_erase(*, organization, customer, actor, privacy_request=None, request=None) -> dict:
    """Erase one customer: personal fields erased or pseudonymised per the
    registry, usage and sessions deleted, router-side accounts removed by the
    data classes' erasure hooks, payments kept but pseudonymised.

    Runs in chunks (each its own transaction) so a customer with a long usage
    history does not hold locks; running it again finishes what is left.
    """
    result = ErasureResult()
    customer_label = customer._meta.label
    ordered = children_first(customer_classes())
    # The customer row itself goes last, whatever the foreign-key graph says.
    ordered = [dc for dc in ordered if dc.label != customer_label] + [
        dc for dc in ordered if dc.label == customer_label
    ]
    customer_pk = customer.pk
    for data_class in ordered:
        erase_queryset(
            data_class=data_class,
            queryset=customer_rows(data_class, organization, customer_pk),
            mode=mode_for(data_class),
            organization=organization,
            reason="customer_erasure",
            result=result,
        )
    with transaction.atomic():
        access_log_record(
            organization=organization,
            action=AccessLog.Action.DELETE,
            target_type=customer_label,
            target_id=customer_pk,
            actor=actor,
            request=request,
            detail={
                "reason": "erasure request",
                "deleted": dict(result.deleted),
                "pseudonymised": dict(result.pseudonymised),
                "hook_errors": len(result.hook_errors),
            },
        )
        if privacy_request is not None:
            from privacy.services.requests import privacy_request_note_outcome

            parts = [f"{label}: {n}" for label, n in sorted(result.deleted.items())]
            kept = [f"{label}: {n}" for label, n in sorted(result.pseudonymised.items())]
            text = _("Erased customer #%(id)s. Deleted %(deleted)s.") % {
                "id": customer_pk,
                "deleted": ", ".join(parts) or "-",
            }
            if kept:
                text += " " + _("Pseudonymised (kept): %(kept)s.") % {"kept": ", ".join(kept)}
            if result.hook_errors:
                text += " " + _("Some router-side removals failed; check the routers by hand.")
            privacy_request_note_outcome(privacy_request=privacy_request, text=text)
    return result.as_dict()
