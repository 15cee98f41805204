"""The routers widget on the dashboard home: online/offline counts, users online."""

from accounts.permissions import has_org_permission
from routers.selectors import fleet_summary


def widgets(request) -> list[dict]:
    if not has_org_permission(request, "routers.view"):
        return []
    return [{"template": "routers/widget.html", "context": fleet_summary(), "order": 10}]
