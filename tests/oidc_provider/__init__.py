"""A small OpenID provider (django-oauth-toolkit) that the SSO tests run as a separate process."""
