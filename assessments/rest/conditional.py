"""ETags and preconditions: `ETag: "<id>-<version>"`, and If-Match mapped onto the services' expected_version.

The ETag is strong: a given id and version always has the same representation. If-Match accepts the
tag with or without the weak `W/` prefix (some proxies add it), `*`, or a list. No If-Match means
"write whatever the current version is" (expected_version=None): accepted, and documented as unsafe.
"""

import re

from django.conf import settings
from django.db import models

from assessments.errors import StaleVersion

# At most 18 digits each, so that a version always fits the database's bigint.
_TAG_SOURCE = r'(?:W/)?"[0-9]{1,18}-[0-9]{1,18}"'
_TAG = re.compile(r'^(?:W/)?"([0-9]{1,18})-([0-9]{1,18})"$')
# What If-Match takes: `*` or a comma-separated list of tags. The OpenAPI schema declares this same pattern.
IF_MATCH_PATTERN = rf"^(?:\*|{_TAG_SOURCE}(?: *, *{_TAG_SOURCE})*)$"


def identity(obj: models.Model | dict) -> tuple[int, int]:
    """(id, version) of a model instance or of a row read by the API's fast path (assessments/rest/projection.py)."""
    if isinstance(obj, dict):
        return obj["id"], obj["version"]
    return obj.pk, obj.version


def etag_for(obj: models.Model | dict) -> str:
    pk, version = identity(obj)
    return f'"{pk}-{version}"'


def parse_tags(header: str) -> list[tuple[int, int]] | None:
    """[(id, version), ...] from an If-Match / If-None-Match value; None when any part is malformed."""
    tags = []
    for part in header.split(","):
        match = _TAG.match(part.strip())
        if match is None:
            return None
        tags.append((int(match.group(1)), int(match.group(2))))
    return tags


def expected_version(request, obj: models.Model) -> int | None:
    """The version the client says it edited, from If-Match; the service compares it under the row lock."""
    from assessments.rest.errors import ApiError

    header = request.headers.get("If-Match")
    if header is None:
        if settings.HAZLOG_API_REQUIRE_IF_MATCH:
            raise ApiError(
                'This server requires If-Match on every write: send the ETag you read, e.g. "12-3", or *.',
                code="precondition_required",
                status_code=428,
            )
        return None
    # An empty or malformed precondition is a client bug, not a request to overwrite: say so instead of guessing.
    if re.fullmatch(IF_MATCH_PATTERN, header) is None:
        message = 'If-Match must be an ETag from this API, e.g. "12-3" (with the quotes), a list of them, or *.'
        raise ApiError(message, code="invalid_precondition", status_code=400, errors={"If-Match": [message]})
    if header == "*":
        return None
    tags = parse_tags(header)
    versions = [version for pk, version in tags if pk == obj.pk]
    if not versions:
        # A tag of another object can never match this one: the client is confused, not just late.
        raise StaleVersion(current=obj, expected_version=tags[0][1])
    return obj.version if obj.version in versions else versions[0]


def not_modified(request, obj: models.Model | dict) -> bool:
    """True when If-None-Match already names the current version (the client's copy is fresh)."""
    header = (request.headers.get("If-None-Match") or "").strip()
    if not header:
        return False
    if header == "*":
        return True
    tags = parse_tags(header) or []
    return identity(obj) in tags
