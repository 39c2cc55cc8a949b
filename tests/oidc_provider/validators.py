"""The claims the test provider puts in its ID tokens and userinfo, with the faults some test users trigger."""

import time

from oauth2_provider.oauth2_validators import OAuth2Validator

# Users whose ID token is wrong on purpose, so that the tests see Hazlog refuse it.
WRONG_AUDIENCE = "another-client"
FAULTS = {
    "audrey": "wrong_audience",  # an ID token issued for another client
    "ernest": "expired",  # an ID token that expired ten minutes ago
}


class Validator(OAuth2Validator):
    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "groups": "profile"}

    def get_additional_claims(self, request):
        user = request.user
        return {
            "preferred_username": user.username,
            "given_name": user.first_name,
            "family_name": user.last_name,
            "email": user.email,
            "email_verified": True,
            # The user's Django groups stand in for a directory's groups.
            "groups": sorted(user.groups.values_list("name", flat=True)),
        }

    def get_id_token_dictionary(self, token, token_handler, request):
        claims, expiration = super().get_id_token_dictionary(token, token_handler, request)
        fault = FAULTS.get(request.user.username)
        if fault == "wrong_audience":
            claims["aud"] = WRONG_AUDIENCE
        elif fault == "expired":
            claims["exp"] = int(time.time()) - 600
        return claims, expiration
