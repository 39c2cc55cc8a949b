"""A precompiled query gives what its queryset gives, compiled once per connection."""

from django.db import connections
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from assessments.models import ApiToken
from assessments.precompiled import PrecompiledQuery
from assessments.services import tokens

BY_HASH = PrecompiledQuery(lambda key_hash: ApiToken.objects.select_related("user").filter(key_hash=key_hash)[:1])


def _fields(obj) -> dict:
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


def test_the_instance_and_its_related_object_equal_the_querysets(contributor):
    token, _ = tokens.token_create(user=contributor, name="compared")
    expected = ApiToken.objects.select_related("user").get(pk=token.pk)
    with CaptureQueriesContext(connections["default"]) as ctx:
        found = BY_HASH.first(token.key_hash)
        user = found.user  # loaded with the token, as select_related does
    assert len(ctx.captured_queries) == 1
    assert _fields(found) == _fields(expected) and model_to_dict(found) == model_to_dict(expected)
    assert _fields(user) == _fields(expected.user)
    assert not found._state.adding and found._state.db == "default"


def test_no_row_gives_none(db):
    assert BY_HASH.first("0" * 64) is None


def test_the_sql_is_compiled_once_and_run_with_each_calls_parameter(owner, contributor):
    first, _ = tokens.token_create(user=owner, name="one")
    second, _ = tokens.token_create(user=contributor, name="two")
    assert BY_HASH.first(first.key_hash).user == owner
    compiled = BY_HASH._compiled[connections["default"]]
    assert BY_HASH.first(second.key_hash).user == contributor
    assert BY_HASH._compiled[connections["default"]] is compiled
