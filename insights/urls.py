from django.urls import path

from insights import views

app_name = "insights"

urlpatterns = [
    path("beacon/", views.beacon, name="beacon"),
    path("staff/", views.staff_overview, name="staff_overview"),
]
