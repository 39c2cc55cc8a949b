"""Who a provider's user is in Hazlog: found by (issuer, subject), linked by verified e-mail only, else created."""

from django.contrib.auth.models import User

from accounts.models import OidcIdentity
from accounts.services.identities import oidc_user_resolve
from tests.factories import UserFactory

ISSUER = "https://idp.example"


def test_a_new_subject_becomes_a_new_user_with_an_unusable_password(db):
    user = oidc_user_resolve(
        issuer=ISSUER,
        claims={"sub": "s-1", "preferred_username": "nina", "email": "nina@idp.example", "given_name": "Nina"},
    )
    assert (user.username, user.email, user.first_name) == ("nina", "nina@idp.example", "Nina")
    assert not user.has_usable_password()
    assert oidc_user_resolve(issuer=ISSUER, claims={"sub": "s-1", "preferred_username": "renamed"}) == user
    assert OidcIdentity.objects.get().last_login_at is not None


def test_the_same_subject_at_another_issuer_is_someone_else(db):
    first = oidc_user_resolve(issuer=ISSUER, claims={"sub": "s-1", "preferred_username": "nina"})
    second = oidc_user_resolve(issuer="https://other.example", claims={"sub": "s-1", "preferred_username": "nina"})
    assert first != second and second.username == "nina-2"


def test_an_existing_account_is_linked_by_a_verified_email(db):
    local = UserFactory(username="victor", email="victor@example.com")
    claims = {"sub": "b", "preferred_username": "v", "email": "VICTOR@example.com", "email_verified": True}
    assert oidc_user_resolve(issuer=ISSUER, claims=claims) == local
    assert OidcIdentity.objects.get(subject="b").user == local


def test_an_unverified_email_links_nothing(db):
    local = UserFactory(username="victor", email="victor@example.com")
    claims = {"sub": "a", "preferred_username": "victor", "email": "victor@example.com"}
    created = oidc_user_resolve(issuer=ISSUER, claims=claims)
    assert created != local and created.username == "victor-2"


def test_an_email_two_accounts_share_links_neither(db):
    UserFactory(username="one", email="shared@example.com")
    UserFactory(username="two", email="shared@example.com")
    claims = {"sub": "c", "preferred_username": "three", "email": "shared@example.com", "email_verified": True}
    assert oidc_user_resolve(issuer=ISSUER, claims=claims).username == "three"


def test_usernames_keep_only_the_characters_django_allows(db):
    user = oidc_user_resolve(issuer=ISSUER, claims={"sub": "x", "preferred_username": "Zoë O'Neil / QA"})
    assert user.username == "Zo--O-Neil---QA"
    fallback = oidc_user_resolve(issuer=ISSUER, claims={"sub": "y", "email": "first.last@idp.example"})
    assert fallback.username == "first.last"
    assert User.objects.count() == 2
