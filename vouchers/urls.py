from django.urls import path

from vouchers import views

app_name = "vouchers"

urlpatterns = [
    path("", views.overview, name="index"),
    path("settings/", views.voucher_settings_view, name="settings"),
    # packages
    path("packages/", views.package_list, name="packages"),
    path("packages/new/", views.package_create, name="package_create"),
    path("packages/<int:package_id>/", views.package_detail, name="package_detail"),
    path("packages/<int:package_id>/edit/", views.package_edit, name="package_edit"),
    path("packages/<int:package_id>/delete/", views.package_delete, name="package_delete"),
    path("packages/<int:package_id>/sync/", views.package_sync_now, name="package_sync"),
    # batches
    path("batches/", views.batch_list, name="batches"),
    path("batches/new/", views.batch_create, name="batch_create"),
    path("batches/<int:voucherbatch_id>/", views.batch_detail, name="batch_detail"),
    path("batches/<int:voucherbatch_id>/cards.pdf", views.batch_pdf, name="batch_pdf"),
    path("batches/<int:voucherbatch_id>/vouchers.csv", views.batch_csv, name="batch_csv"),
    path("batches/<int:voucherbatch_id>/push/", views.batch_push, name="batch_push"),
    path("batches/<int:voucherbatch_id>/revoke/", views.batch_revoke, name="batch_revoke"),
    # vouchers
    path("codes/", views.voucher_list, name="vouchers"),
    path("codes/revoke/", views.voucher_bulk_revoke, name="voucher_bulk_revoke"),
    path("codes/<int:voucher_id>/", views.voucher_detail, name="voucher_detail"),
    path("codes/<int:voucher_id>/revoke/", views.voucher_revoke_view, name="voucher_revoke"),
    path("codes/<int:voucher_id>/redeem/", views.voucher_redeem_staff, name="voucher_redeem"),
]
