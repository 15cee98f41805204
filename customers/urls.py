from django.urls import path

from customers.views import imports, lists, records, services

app_name = "customers"

urlpatterns = [
    path("", lists.customer_list, name="index"),
    path("count/", lists.customer_count, name="count"),
    path("bulk/", lists.customer_bulk, name="bulk"),
    path("export.csv", lists.customer_export_csv, name="export_csv"),
    path("export.json", lists.customer_export_json, name="export_json"),
    path("new/", records.customer_create, name="create"),
    path("<int:customer_id>/", records.customer_detail, name="detail"),
    path("<int:customer_id>/edit/", records.customer_edit, name="edit"),
    path("<int:customer_id>/suspend/", records.customer_suspend, name="suspend"),
    path("<int:customer_id>/reactivate/", records.customer_reactivate, name="reactivate"),
    path("<int:customer_id>/close/", records.customer_close, name="close"),
    path("<int:customer_id>/devices/add/", records.device_add, name="device_add"),
    path("devices/<int:customerdevice_id>/remove/", records.device_remove, name="device_remove"),
    path("<int:customer_id>/sessions/", services.session_list, name="sessions"),
    path("<int:customer_id>/pppoe/new/", services.pppoe_create, name="pppoe_create"),
    path("pppoe/<int:pppoeaccount_id>/edit/", services.pppoe_edit, name="pppoe_edit"),
    path("pppoe/<int:pppoeaccount_id>/delete/", services.pppoe_delete, name="pppoe_delete"),
    path("pppoe/<int:pppoeaccount_id>/password/", services.pppoe_password, name="pppoe_password"),
    path("pppoe/<int:pppoeaccount_id>/sync/", services.pppoe_sync, name="pppoe_sync"),
    path("tags/", records.tag_list, name="tags"),
    path("tags/<int:tag_id>/delete/", records.tag_delete, name="tag_delete"),
    path("import/", imports.import_upload, name="import_upload"),
    path("import/<int:customerimport_id>/", imports.import_detail, name="import_detail"),
    path("import/<int:customerimport_id>/status/", imports.import_status, name="import_status"),
    path("import/<int:customerimport_id>/run/", imports.import_run, name="import_run"),
    path("import/<int:customerimport_id>/cancel/", imports.import_cancel, name="import_cancel"),
    path("import/<int:customerimport_id>/report.csv", imports.import_report, name="import_report"),
]
