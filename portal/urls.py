"""Dashboard URLs (under /landing-pages/). The public pages are in portal/public_urls.py."""

from django.urls import path

from portal.views import dashboard

app_name = "portal"

urlpatterns = [
    path("", dashboard.page_list, name="index"),
    path("new/", dashboard.page_create, name="page_create"),
    path("<int:landingpage_id>/", dashboard.page_edit, name="page_edit"),
    path("<int:landingpage_id>/preview/", dashboard.page_preview, name="page_preview"),
    path("<int:landingpage_id>/delete/", dashboard.page_delete, name="page_delete"),
    path("<int:landingpage_id>/router/", dashboard.router_setup, name="router_setup"),
    path("<int:landingpage_id>/login.html", dashboard.login_html_download, name="login_html"),
    path("<int:landingpage_id>/blocks/add/", dashboard.block_add, name="block_add"),
    path(
        "<int:landingpage_id>/blocks/<int:landingblock_id>/edit/",
        dashboard.block_edit,
        name="block_edit",
    ),
    path(
        "<int:landingpage_id>/blocks/<int:landingblock_id>/move/",
        dashboard.block_move,
        name="block_move",
    ),
    path(
        "<int:landingpage_id>/blocks/<int:landingblock_id>/delete/",
        dashboard.block_delete,
        name="block_delete",
    ),
]
