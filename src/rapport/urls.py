"""Every route: each audience's pages from its own package, and the API under /api/v1/."""

from django.urls import include, path

from rapport.accounts import views as accounts
from rapport.api.routes import api
from rapport.common import views as common

urlpatterns = [
    path("", accounts.home, name="home"),
    path("healthz", common.healthz, name="healthz"),
    path("session/keep-alive/", accounts.keep_alive, name="keep_alive"),
    path("sign-in/", accounts.sign_in, name="login"),
    path("sign-out/", accounts.sign_out, name="logout"),
    path("password-reset/", accounts.password_reset, name="password_reset"),
    path("password-reset/sent/", accounts.password_reset_done, name="password_reset_done"),
    path("reset/<uidb64>/<token>/", accounts.password_reset_confirm, name="password_reset_confirm"),
    path("reset/done/", accounts.password_reset_complete, name="password_reset_complete"),
    path("two-factor/setup/", accounts.two_factor_setup, name="two_factor_setup"),
    path("two-factor/verify/", accounts.two_factor_verify, name="two_factor_verify"),
    path("", include("rapport.staff.urls")),
    path("", include("rapport.staff.offline")),
    path("", include("rapport.portal.urls")),
    path("", include("rapport.administration.urls")),
    path("", include("rapport.find.urls")),
    path("", include("rapport.front_door.urls")),
    path("api/v1/", api.urls),
    path("fhir/R4/", include("rapport.api.fhir.urls")),
]
