from django.shortcuts import get_object_or_404, redirect, render

from accounts.permissions import org_permission_required
from nettportal.dashboard import collect_widgets
from nettportal.models import BackgroundJob


def home(request):
    if request.user.is_authenticated:
        return redirect("dashboard")
    return redirect("account_login")


@org_permission_required("org.view")
def dashboard(request):
    return render(request, "dashboard/home.html", {"widgets": collect_widgets(request)})


@org_permission_required("org.view")
def job_progress(request, backgroundjob_id):
    """A progress-bar fragment; htmx polls it until the job finishes."""
    job = get_object_or_404(BackgroundJob, pk=backgroundjob_id)
    return render(request, "components/job_progress.html", {"job": job})


def area_placeholder(template_area: str, title: str, permission: str, blurb: str):
    """An honest empty state for a dashboard area that is not built yet."""

    @org_permission_required(permission)
    def view(request):
        return render(
            request,
            "components/coming_soon.html",
            {"area": template_area, "title": title, "blurb": blurb},
        )

    return view
