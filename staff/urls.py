from django.contrib import admin
from django.contrib.auth.views import LogoutView
from django.urls import path

from staff.escalations import signin, views

urlpatterns = [
    path("", views.queue_view, name="queue"),
    path("login/", signin.login_view, name="login"),
    path("login/verify/", signin.mfa_verify_view, name="mfa_verify"),
    path("two-factor/", signin.mfa_setup_view, name="mfa_setup"),
    path("two-factor/recovery-codes/", signin.recovery_codes_view, name="mfa_recovery_codes"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("escalations/<uuid:pk>/", views.detail_view, name="detail"),
    path("escalations/<uuid:pk>/<slug:action>/", views.act_view, name="act"),
    path("dashboard/", views.dashboard_view, name="dashboard"),
    path("audit/", views.audit_view, name="audit"),
    path("consent/opt-outs.csv", views.opt_out_report_view, name="opt_out_report"),
    # The admin signs in through the console's throttled login (and its second factor).
    path("admin/login/", signin.login_view),
    path("admin/", admin.site.urls),
]
