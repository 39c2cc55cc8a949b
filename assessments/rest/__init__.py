"""The REST API's framework: token auth, throttles, errors, sync pagination, ETags, idempotency, schema."""
