"""Browser URLs of the accounts app: sign-in (password, code, single sign-on) and two-step sign-in settings."""

from django.urls import path

from accounts.oidc import views as oidc_views
from accounts.views import login, two_factor

urlpatterns = [
    path("accounts/login/", login.LoginView.as_view(), name="login"),
    path("accounts/login/code/", login.login_code, name="login_code"),
    path("accounts/logout/", login.LogoutView.as_view(), name="logout"),
    path("accounts/two-factor/", two_factor.two_factor, name="two_factor"),
    path("accounts/two-factor/enrol/", two_factor.two_factor_enrol, name="two_factor_enrol"),
    path("accounts/two-factor/verify/", two_factor.two_factor_verify, name="two_factor_verify"),
    path("accounts/two-factor/disable/", two_factor.two_factor_disable, name="two_factor_disable"),
    path(
        "accounts/two-factor/recovery-codes/",
        two_factor.two_factor_recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path("oidc/authenticate/", oidc_views.SignInStart.as_view(), name="oidc_authentication_init"),
    path("oidc/callback/", oidc_views.SignInCallback.as_view(), name="oidc_authentication_callback"),
]
