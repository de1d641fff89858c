from django.contrib import admin
from django.contrib.auth.views import LogoutView
from django.urls import path

from staff.escalations import live, signin, views

urlpatterns = [
    path("", views.queue_view, name="queue"),
    path("login/", signin.login_view, name="login"),
    path("login/verify/", signin.mfa_verify_view, name="mfa_verify"),
    path("two-factor/", signin.mfa_setup_view, name="mfa_setup"),
    path("two-factor/recovery-codes/", signin.recovery_codes_view, name="mfa_recovery_codes"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("escalations/bulk/", views.bulk_view, name="bulk"),
    # The whole id or its first 8 characters (redirected to the whole id).
    path("escalations/<str:ref>/", views.detail_view, name="detail"),
    path("escalations/<uuid:pk>/<slug:action>/", views.act_view, name="act"),
    path("escalations/<uuid:pk>/staff-mode/<slug:action>/", live.staff_mode_view, name="staff_mode"),
    path("live/queue/", live.queue_state_view, name="live_queue"),
    path("live/escalations/<uuid:pk>/", live.escalation_state_view, name="live_escalation"),
    path("dashboard/", views.dashboard_view, name="dashboard"),
    path("review/", views.review_view, name="review"),
    path("review/label/", views.review_label_view, name="review_label"),
    path("audit/", views.audit_view, name="audit"),
    path("audit/export.csv", views.audit_export_view, name="audit_export"),
    path("consent/opt-outs.csv", views.opt_out_report_view, name="opt_out_report"),
    # The admin signs in through the console's throttled login (and its second factor); an
    # account already signed in is sent on or told why the admin is not for it.
    path("admin/login/", views.admin_login_view),
    path("admin/", admin.site.urls),
]
