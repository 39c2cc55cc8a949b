"""Sign-in: local accounts with an optional TOTP second factor, and single sign-on through OpenID Connect."""
