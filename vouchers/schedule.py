"""Beat entries for vouchers (read while Celery configures itself: no models here).

* expiry every minute — validity is enforced by our clock, so a voucher
  never outlives its time by more than about a minute plus one router call;
* reconciliation every 15 minutes — profiles and hotspot users put back in
  line with our vouchers on every router.
"""

BEAT_SCHEDULE = {
    "vouchers-expire": {"task": "vouchers.tasks.expire_vouchers_task", "schedule": 60.0},
    "vouchers-reconcile": {"task": "vouchers.tasks.reconcile_routers_task", "schedule": 900.0},
}
