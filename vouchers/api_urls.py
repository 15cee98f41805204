from django.urls import path

from vouchers import api

urlpatterns = [
    path("packages/", api.PackageList.as_view(), name="api_packages"),
    path("voucher-batches/", api.VoucherBatchList.as_view(), name="api_voucher_batches"),
    path(
        "voucher-batches/<int:voucherbatch_id>/",
        api.VoucherBatchDetail.as_view(),
        name="api_voucher_batch",
    ),
    path(
        "voucher-batches/<int:voucherbatch_id>/status/",
        api.VoucherBatchStatus.as_view(),
        name="api_voucher_batch_status",
    ),
    path("vouchers/", api.VoucherList.as_view(), name="api_vouchers"),
    path("vouchers/redeem/", api.VoucherRedeem.as_view(), name="api_voucher_redeem"),
    path("vouchers/<int:voucher_id>/", api.VoucherDetail.as_view(), name="api_voucher"),
    path(
        "vouchers/<int:voucher_id>/revoke/", api.VoucherRevoke.as_view(), name="api_voucher_revoke"
    ),
]
