"""The landing-page builder: pages, blocks with a live phone-sized preview, router files."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import has_org_permission, org_permission_required
from nettportal.errors import ApplicationError
from portal import integrations, routerfiles, selectors, services
from portal.forms import BlockAddForm, BlockEditForm, LandingPageForm
from portal.models import LandingBlock, LandingPage
from portal.pagecache import build_page_config
from portal.views.common import form_error


def _page_or_404(landingpage_id) -> LandingPage:
    page = selectors.page_get(landingpage_id)
    if page is None:
        raise Http404
    return page


def _block_or_404(page, landingblock_id) -> LandingBlock:
    block = LandingBlock.objects.filter(page=page, pk=landingblock_id).first()
    if block is None:
        raise Http404
    return block


@org_permission_required("portal.view")
def page_list(request):
    pages = Paginator(selectors.page_list(), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/page_list.html",
        {"page_obj": pages, "can_manage": has_org_permission(request, "portal.manage")},
    )


@org_permission_required("portal.manage")
@require_http_methods(["GET", "POST"])
def page_create(request):
    organization = request.organization
    initial = {"title": organization.name, "slug": organization.slug}
    form = LandingPageForm(
        request.POST or None, request.FILES or None, initial=initial, organization=organization
    )
    if request.method == "POST" and form.is_valid():
        try:
            page = services.landing_page_create(
                organization=organization, actor=request.user, **form.service_fields()
            )
        except ApplicationError as error:
            form_error(form, error)
        else:
            messages.success(
                request, _("Landing page created. Add blocks and set up your routers.")
            )
            return redirect("portal:page_edit", page.pk)
    return render(request, "portal/page_form.html", {"form": form})


def _editor_context(request, page, *, form=None, block_form=None):
    return {
        "landing_page": page,
        "form": form or LandingPageForm(instance=page, organization=request.organization),
        "block_form": block_form or BlockAddForm(),
        "blocks": selectors.page_blocks(page),
        "can_manage": has_org_permission(request, "portal.manage"),
        "public_url": routerfiles.landing_url(page.slug),
    }


@org_permission_required("portal.view")
@require_http_methods(["GET", "POST"])
def page_edit(request, landingpage_id):
    page = _page_or_404(landingpage_id)
    form = None
    if request.method == "POST":
        if not has_org_permission(request, "portal.manage"):
            raise PermissionDenied
        form = LandingPageForm(
            request.POST, request.FILES, instance=page, organization=request.organization
        )
        if form.is_valid():
            try:
                services.landing_page_update(page=page, actor=request.user, **form.service_fields())
            except ApplicationError as error:
                form_error(form, error)
            else:
                messages.success(request, _("Saved. Visitors see the change right away."))
                return redirect("portal:page_edit", page.pk)
        page.refresh_from_db()  # the form wrote its values onto the instance
    return render(request, "portal/page_edit.html", _editor_context(request, page, form=form))


@org_permission_required("portal.view")
@xframe_options_sameorigin
@require_http_methods(["GET", "POST"])
def page_preview(request, landingpage_id):
    """The page as a phone shows it; a POST previews unsaved settings (nothing is saved)."""
    page = _page_or_404(landingpage_id)
    if request.method == "POST":
        form = LandingPageForm(request.POST, instance=page, organization=request.organization)
        form.is_valid()  # valid fields are applied to the (unsaved) instance for the preview
        page = form.instance
    config = build_page_config(page, preview=True)
    response = HttpResponse(config.render_landing())
    response["Cache-Control"] = "no-store"
    return response


@org_permission_required("portal.manage")
@require_http_methods(["GET", "POST"])
def page_delete(request, landingpage_id):
    page = _page_or_404(landingpage_id)
    if request.method == "POST":
        services.landing_page_delete(page=page, actor=request.user)
        messages.success(request, _("Landing page deleted."))
        return redirect("portal:index")
    return render(
        request,
        "components/confirm.html",
        {
            "title": _("Delete “%(title)s”?") % {"title": page.title},
            "message": _(
                "Routers using it will show an error page until they are pointed at another "
                "landing page. Payments and vouchers are kept."
            ),
            "confirm_label": _("Delete the page"),
            "cancel_url": "portal:index",
        },
    )


def _blocks_response(request, page, *, block_form=None, status=200):
    """The block list (for htmx) or a redirect back to the editor."""
    if request.htmx:
        context = _editor_context(request, page, block_form=block_form)
        return render(request, "portal/_blocks.html", context, status=status)
    return redirect(reverse("portal:page_edit", args=[page.pk]) + "#blocks")


@org_permission_required("portal.manage")
@require_POST
def block_add(request, landingpage_id):
    page = _page_or_404(landingpage_id)
    form = BlockAddForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.landing_block_add(page=page, actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form_error(form, error)
        else:
            page.refresh_from_db()
            if not request.htmx:
                messages.success(request, _("Block added."))
            return _blocks_response(request, page)
    if request.htmx:
        return _blocks_response(request, page, block_form=form, status=422)
    context = _editor_context(request, page, block_form=form)
    return render(request, "portal/page_edit.html", context, status=422)


@org_permission_required("portal.manage")
@require_http_methods(["GET", "POST"])
def block_edit(request, landingpage_id, landingblock_id):
    page = _page_or_404(landingpage_id)
    block = _block_or_404(page, landingblock_id)
    initial = {"text": block.text, "image_alt": block.image_alt}
    form = BlockEditForm(request.POST or None, request.FILES or None, initial=initial, block=block)
    if request.method == "POST" and form.is_valid():
        try:
            services.landing_block_update(
                block=block,
                actor=request.user,
                text=form.cleaned_data.get("text", ""),
                image=form.cleaned_data.get("image"),
                image_alt=form.cleaned_data.get("image_alt", ""),
            )
        except ApplicationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Block saved."))
            return redirect(reverse("portal:page_edit", args=[page.pk]) + "#blocks")
    return render(
        request, "portal/block_form.html", {"landing_page": page, "block": block, "form": form}
    )


@org_permission_required("portal.manage")
@require_POST
def block_move(request, landingpage_id, landingblock_id):
    page = _page_or_404(landingpage_id)
    block = _block_or_404(page, landingblock_id)
    try:
        services.landing_block_move(
            block=block, actor=request.user, direction=request.POST.get("direction", "")
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    page.refresh_from_db()
    return _blocks_response(request, page)


@org_permission_required("portal.manage")
@require_http_methods(["GET", "POST"])
def block_delete(request, landingpage_id, landingblock_id):
    page = _page_or_404(landingpage_id)
    block = _block_or_404(page, landingblock_id)
    if request.method == "POST":
        services.landing_block_remove(block=block, actor=request.user)
        page.refresh_from_db()
        if not request.htmx:
            messages.success(request, _("Block removed."))
        return _blocks_response(request, page)
    return render(
        request,
        "portal/block_confirm_delete.html",
        {"landing_page": page, "block": block},
    )


@org_permission_required("portal.view")
def router_setup(request, landingpage_id):
    page = _page_or_404(landingpage_id)
    methods = tuple(
        method
        for method, offered in (("mpesa", page.offer_mpesa), ("paystack", page.offer_paystack))
        if offered
    )
    script = routerfiles.routeros_script(
        slug=page.slug,
        title=page.title,
        methods=methods,
        extra_hosts=integrations.processor_hosts(methods),
        dns_name=page.hotspot_dns_name,
    )
    return render(
        request,
        "portal/router_setup.html",
        {
            "landing_page": page,
            "script": script,
            "public_url": routerfiles.landing_url(page.slug),
            "routers": integrations.page_routers(page),
        },
    )


@org_permission_required("portal.view")
def login_html_download(request, landingpage_id):
    page = _page_or_404(landingpage_id)
    response = HttpResponse(
        routerfiles.login_html(slug=page.slug, title=page.title), content_type="text/html"
    )
    response["Content-Disposition"] = 'attachment; filename="login.html"'
    return response
