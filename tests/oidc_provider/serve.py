"""Start the test OpenID provider: `python -m tests.oidc_provider.serve PORT REDIRECT_URI CLIENT_ID CLIENT_SECRET`.

Generates its RS256 key, migrates its own SQLite database (PROVIDER_DATABASE), registers the client and the
test users, then serves on 127.0.0.1:PORT until killed.
"""

import os
import sys

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

PASSWORD = "provider password 123"
# username → (e-mail, groups); FAULTS in validators.py spoils some of their ID tokens.
USERS = {
    "olga": ("olga@idp.example", ["hazlog-acme-owners", "hazlog-beta-viewers", "unrelated-group"]),
    "dora": ("dora@idp.example", []),
    "audrey": ("audrey@idp.example", ["hazlog-acme-owners"]),
    "ernest": ("ernest@idp.example", ["hazlog-acme-owners"]),
    "tamara": ("tamara@idp.example", []),
}


def _rsa_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _populate(redirect_uri: str, client_id: str, client_secret: str) -> None:
    from django.contrib.auth.models import Group, User
    from oauth2_provider.models import Application

    Application.objects.create(
        name="Hazlog",
        client_id=client_id,
        client_secret=client_secret,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=redirect_uri,
        # Back to Hazlog's sign-in page after signing out at the provider.
        post_logout_redirect_uris=redirect_uri.replace("/oidc/callback/", "/accounts/login/"),
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    for username, (email, groups) in USERS.items():
        user = User.objects.create_user(username, email=email, password=PASSWORD, first_name=username.title())
        user.groups.set([Group.objects.get_or_create(name=name)[0] for name in groups])


def main(port: int, redirect_uri: str, client_id: str, client_secret: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
    os.environ["PROVIDER_RSA_KEY"] = _rsa_key_pem()
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.servers.basehttp import run
    from django.core.wsgi import get_wsgi_application

    call_command("migrate", verbosity=0, interactive=False)
    _populate(redirect_uri, client_id, client_secret)
    print(f"provider ready on {port}", flush=True)
    run("127.0.0.1", port, get_wsgi_application(), threading=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4])
