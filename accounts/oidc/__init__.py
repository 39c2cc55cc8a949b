"""Single sign-on through an OpenID Connect provider (mozilla-django-oidc with Hazlog's checks added)."""
