"""Write operations of the accounts app: SSO identities and roles, TOTP devices."""
