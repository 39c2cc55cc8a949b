"""The provider's URLs: its sign-in page and django-oauth-toolkit's OAuth 2 and OpenID Connect endpoints."""

from django.contrib.auth.views import LoginView
from django.urls import include, path

urlpatterns = [
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
]
