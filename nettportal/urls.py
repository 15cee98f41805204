from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from nettportal import health, views
from privacy import views as privacy_views

admin.site.site_header = "NettPortal staff"
admin.site.site_title = "NettPortal staff"
admin.site.index_title = "Platform administration"

urlpatterns = [
    # First: the captive portal is the busiest public URL and resolves without walking the rest.
    path("p/", include("portal.public_urls")),
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("jobs/<int:backgroundjob_id>/progress/", views.job_progress, name="job_progress"),
    path("account/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("routers/", include("routers.urls")),
    path("customers/", include("customers.urls")),
    path("vouchers/", include("vouchers.urls")),
    path("payments/", include("billing.urls")),
    path("landing-pages/", include("portal.urls")),
    path("support/", include("support.urls")),
    path("privacy-center/", include("privacy.urls")),
    path("notifications/", include("notifications.urls")),
    path("integrations/", include("integrations.urls")),
    path("insights/", include("insights.urls")),
    path("privacy", privacy_views.policy_privacy, name="policy_privacy"),
    path("terms", privacy_views.policy_terms, name="policy_terms"),
    path("dpa", privacy_views.policy_dpa, name="policy_dpa"),
    path("api/", include("nettportal.api_urls")),
    path(getattr(settings, "ADMIN_URL", "admin/"), admin.site.urls),
]
