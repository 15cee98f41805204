"""Processor accounts (credentials, test button, callback URLs) and billing settings."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import org_permission_required
from billing import selectors
from billing.forms import BillingSettingsForm, MpesaAccountForm, PaystackAccountForm
from billing.models import ProcessorAccount
from billing.services import online, processors
from billing.services.settings import billing_settings_update
from billing.views.common import form_error
from nettportal.errors import ApplicationError

FORMS = {
    ProcessorAccount.Kind.MPESA: MpesaAccountForm,
    ProcessorAccount.Kind.PAYSTACK: PaystackAccountForm,
}


@org_permission_required("billing.manage")
def processor_list(request):
    accounts = {account.kind: account for account in ProcessorAccount.objects.all()}
    rows = []
    for kind, label in ProcessorAccount.Kind.choices:
        account = accounts.get(kind)
        url = ""
        if account is not None:
            url = (
                online.mpesa_callback_url(account)
                if kind == ProcessorAccount.Kind.MPESA
                else online.paystack_webhook_url(account)
            )
        rows.append({"kind": kind, "label": label, "account": account, "callback_url": url})
    return render(request, "billing/processor_list.html", {"rows": rows})


def _edit(request, kind):
    account = ProcessorAccount.objects.filter(kind=kind).first()
    form_class = FORMS[kind]
    form = form_class(request.POST or None, instance=account)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        secrets = {name: form.cleaned_data.get(name, "") for name in form.SECRET_FIELDS}
        try:
            processors.processor_account_save(
                organization=request.organization, kind=kind, fields=fields, secrets=secrets
            )
        except ApplicationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Saved. Use “Test credentials” to check them."))
            return redirect("billing:processors")
    return render(
        request,
        "billing/processor_form.html",
        {
            "form": form,
            "account": account,
            "kind_label": dict(ProcessorAccount.Kind.choices)[kind],
            "stored_secrets": sorted(account.get_secrets()) if account else [],
        },
    )


@org_permission_required("billing.manage")
def processor_mpesa(request):
    return _edit(request, ProcessorAccount.Kind.MPESA)


@org_permission_required("billing.manage")
def processor_paystack(request):
    return _edit(request, ProcessorAccount.Kind.PAYSTACK)


@require_POST
@org_permission_required("billing.manage")
def processor_test(request, processoraccount_id):
    account = get_object_or_404(ProcessorAccount, pk=processoraccount_id)
    ok, message = processors.processor_account_test(account=account)
    (messages.success if ok else messages.error)(request, message)
    return redirect("billing:processors")


@org_permission_required("billing.manage")
def processor_rotate(request, processoraccount_id):
    account = get_object_or_404(ProcessorAccount, pk=processoraccount_id)
    if request.method == "POST":
        processors.processor_account_rotate_callback(account=account)
        messages.success(request, _("The callback address was replaced."))
        return redirect("billing:processors")
    return render(
        request,
        "components/confirm.html",
        {
            "title": _("Replace the callback address?"),
            "message": _(
                "Do this if the address leaked. Callbacks for payments already started are "
                "then refused and those payments are settled by the status check instead. "
                "For Paystack, paste the new address into your Paystack dashboard."
            ),
            "confirm_label": _("Replace address"),
            "cancel_url": "billing:processors",
        },
    )


@org_permission_required("billing.manage")
def billing_settings(request):
    instance = selectors.billing_settings_get(organization=request.organization)
    form = BillingSettingsForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            billing_settings_update(organization=request.organization, **form.cleaned_data)
        except ApplicationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Billing settings saved."))
            return redirect("billing:settings")
    return render(request, "billing/settings_form.html", {"form": form})
