"""The OpenAPI schema class: every operation documents its error responses, precondition and idempotency headers.

Which errors an operation can return follows from its method and shape, so that views only describe their
own bodies: every call can be 401/403/429/503; detail routes 404; lists and writes 400; writes 409; writes
that honour If-Match 412 (with the current representation); POSTs with Idempotency-Key 422 and 409.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from assessments.rest import conditional, idempotency
from assessments.rest.fields import StringField


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "assessments.rest.authentication.BearerTokenAuthentication"
    name = "bearerToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token (created in the browser under API tokens), e.g. `hzl_…`.",
        }


class ErrorSerializer(serializers.Serializer):
    detail = StringField(help_text="What went wrong, in a sentence a person can act on.")
    code = StringField(help_text="Stable machine-readable code, e.g. invalid, stale_version, throttled.")
    errors = serializers.DictField(
        child=serializers.ListField(child=StringField()),
        required=False,
        help_text="Messages per field (`non_field_errors` for the whole object); only on 400.",
    )


class StaleVersionErrorSerializer(ErrorSerializer):
    current = serializers.DictField(
        allow_null=True, help_text="The current representation of the object; its ETag is in the ETag header."
    )


ERROR_DESCRIPTIONS = {
    400: "Invalid input, filter, cursor or header; `errors` has messages per field.",
    401: "No credentials, or a token that is not valid, expired or revoked.",
    403: "You can see this but your role (or a read-only token) does not allow the action.",
    404: "No such object in your projects.",
    409: "Invalid workflow transition, frozen content, a concurrent conflict, or the Idempotency-Key's first "
    "request is still running.",
    412: "If-Match names an older version: nothing was changed; `current` holds the current version.",
    422: "The Idempotency-Key was used before for a different request.",
    428: "If-Match is required on writes on this server (API_REQUIRE_IF_MATCH) and was not sent.",
    429: "Too many requests; wait Retry-After seconds.",
    500: "An unexpected error on the server (logged); the body still has the error shape.",
    503: "The database is unavailable; retry after Retry-After seconds.",
}


def if_match(view_method):
    """Marks a POST action whose service compares the If-Match version under the row lock."""
    view_method.accepts_if_match = True
    return view_method


def new_object(view_method):
    """Marks a POST action that answers with a (new) versioned object and its ETag."""
    view_method.returns_versioned_object = True
    return view_method


def also_returns(*codes: int):
    """Declare error statuses an operation returns beyond what its method and path imply."""

    def mark(view_method):
        view_method.extra_error_codes = codes
        return view_method

    return mark


def _handler(view):
    action = getattr(view, "action", None)
    return getattr(view, action, None) if action else None


class ApiSchema(AutoSchema):
    def _flag(self, name: str) -> bool:
        return bool(getattr(_handler(self.view), name, False))

    def _is_detail(self) -> bool:
        return "{" in self.path

    def accepts_if_match(self) -> bool:
        if not getattr(self.view, "versioned", False):
            return False
        return self.method in ("PATCH", "PUT", "DELETE") or self._flag("accepts_if_match")

    def is_idempotent(self) -> bool:
        return self.method == "POST" and self._flag("idempotent")

    def returns_versioned_object(self) -> bool:
        if not getattr(self.view, "versioned", False) or self._is_list_view():
            return False
        return (
            self.method in ("GET", "PATCH", "PUT")
            or self._flag("returns_versioned_object")
            or (self.method == "POST" and getattr(self.view, "action", None) == "create")
        )

    def get_override_parameters(self):
        params = list(super().get_override_parameters())
        if self.accepts_if_match():
            params.append(
                OpenApiParameter(
                    "If-Match",
                    {"type": "string", "pattern": conditional.IF_MATCH_PATTERN},
                    OpenApiParameter.HEADER,
                    description=(
                        'The ETag you read, e.g. "12-3", a comma-separated list of them, or *. A stale one gets 412 '
                        "and nothing changes; an empty or malformed one is a 400. Without it the write applies to "
                        "whatever the current version is (unsafe), unless the server requires it "
                        "(API_REQUIRE_IF_MATCH): then 428."
                    ),
                )
            )
        if self.method == "GET" and self.returns_versioned_object():
            params.append(
                OpenApiParameter(
                    "If-None-Match",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    description="An ETag you hold; 304 without a body if it is still current.",
                )
            )
        if self.is_idempotent():
            params.append(
                OpenApiParameter(
                    idempotency.HEADER,
                    {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": idempotency.MAX_KEY_LENGTH,
                        "pattern": idempotency.KEY_PATTERN,
                    },
                    OpenApiParameter.HEADER,
                    description=(
                        f"A unique string of 1 to {idempotency.MAX_KEY_LENGTH} printable ASCII characters, not "
                        "starting or ending with a space (another is a 400). A retry with the same key and body "
                        "returns the first response and creates nothing; the same key with another body gets 422."
                    ),
                )
            )
        if self.returns_versioned_object():
            params.append(
                OpenApiParameter(
                    "ETag",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    response=[200, 201],
                    description='The version of the object, e.g. "12-3"; send it back in If-Match.',
                )
            )
        params.append(
            OpenApiParameter(
                "Retry-After",
                OpenApiTypes.INT,
                OpenApiParameter.HEADER,
                response=[429, 503],
                description="Seconds to wait before retrying.",
            )
        )
        return params

    def _has_query_parameters(self) -> bool:
        for parameter in self.get_override_parameters():
            if not isinstance(parameter, OpenApiParameter) or parameter.location == OpenApiParameter.QUERY:
                return True  # a serializer given as parameters documents query parameters
        return False

    def _error_codes(self) -> dict[int, type]:
        codes: dict[int, type] = {401: ErrorSerializer, 403: ErrorSerializer, 429: ErrorSerializer}
        codes[500] = ErrorSerializer
        codes[503] = ErrorSerializer
        if self._is_detail():
            codes[404] = ErrorSerializer
        if self.method == "GET" and (self._is_list_view() or self._has_query_parameters()):
            codes[400] = ErrorSerializer
        if self.method in ("POST", "PATCH", "PUT", "DELETE"):
            codes[400] = ErrorSerializer
            codes[409] = ErrorSerializer
        if self.accepts_if_match():
            codes[412] = StaleVersionErrorSerializer
            codes[428] = ErrorSerializer
        if self.is_idempotent():
            codes[422] = ErrorSerializer
            codes[409] = ErrorSerializer
        for code in getattr(_handler(self.view), "extra_error_codes", ()):
            codes.setdefault(code, ErrorSerializer)
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if getattr(self.view, "public_schema_view", False):
            return responses
        if self.method == "GET" and self.returns_versioned_object():
            responses.setdefault("304", {"description": "Not modified: the ETag in If-None-Match is current."})
        for code, serializer in self._error_codes().items():
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(serializer, str(code), direction=direction)
                responses[str(code)]["description"] = ERROR_DESCRIPTIONS.get(code, "")
        return responses


# PostgreSQL cannot store or compare NUL, so every text filter refuses it with a 400 (Django's own
# ProhibitNullCharactersValidator); the schema says so, so that generated clients and fuzzers agree.
NO_NUL_PATTERN = "^[^\\u0000]*$"


def declare_text_filters_refuse_nul(result, generator, request, public):
    """Postprocessing hook: a free-text query parameter (a string with no format, pattern or enum of its own)
    matches NO_NUL_PATTERN."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else ():
                schema = parameter.get("schema", {})
                free_text = schema.get("type") == "string" and not {"format", "pattern", "enum"} & set(schema)
                if parameter.get("in") == "query" and free_text:
                    schema["pattern"] = NO_NUL_PATTERN
    return result
