from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views
from .access import public

urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", public(auth_views.LogoutView.as_view()), name="logout"),
    path("password-reset/", views.password_reset, name="password_reset"),
    path(
        "password-reset/sent/",
        public(auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        public(
            auth_views.PasswordResetConfirmView.as_view(
                template_name="accounts/password_reset_confirm.html",
                success_url=reverse_lazy("accounts:password_reset_complete"),
            )
        ),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        public(auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html")),
        name="password_reset_complete",
    ),
    path("verify-email/<str:token>/", views.verify_email, name="verify_email"),
    path("verify-email/", views.resend_verification, name="resend_verification"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("seats/<slug:slug>/", views.seats, name="seats"),
]
