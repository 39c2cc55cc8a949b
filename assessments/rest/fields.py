"""Serializer fields shared by the API: people by username, and references to objects the caller can see."""

from collections.abc import Callable

from django.contrib.auth.models import User
from django.db import models
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

# Ids are PostgreSQL bigints: anything larger is no id at all (and must not reach the database).
MAX_ID = 2**63 - 1


class IdField(serializers.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)


@extend_schema_field({"type": "string", "nullable": True, "example": "alice"})
class UsernameField(serializers.Field):
    """A user as their username. Unknown names get the same message as non-members, so nobody learns
    which accounts exist by probing."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return value.get_username() if value is not None else None

    def to_internal_value(self, data):
        if data in (None, ""):
            return None
        if not isinstance(data, str) or len(data) > 150 or "\x00" in data:
            raise serializers.ValidationError("Give a username.")
        user = User.objects.filter(username=data, is_active=True).first()
        if user is None:
            raise serializers.ValidationError(f"{data} is not a member of this project.")
        return user


@extend_schema_field(OpenApiTypes.INT)
class VisibleObjectField(serializers.Field):
    """An id in a request body, resolved through a scoped selector: another project's id and a missing id
    get the same answer, so ids of other projects don't leak."""

    def __init__(self, *, fetch: Callable, label_text: str, **kwargs):
        self.fetch = fetch
        self.label_text = label_text
        super().__init__(**kwargs)

    def to_representation(self, value):
        return value.pk

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int) or not 0 < data <= MAX_ID:
            raise serializers.ValidationError(f"Give the id of a {self.label_text}.")
        try:
            return self.fetch(user=self.context["request"].user, pk=data)
        except Http404:
            raise serializers.ValidationError(f"No such {self.label_text}.") from None


class StringField(serializers.CharField):
    """Text that must arrive as a JSON string: DRF's CharField also takes a number and stores its digits,
    which the schema's `type: string` (and so a generated client) says is refused."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


# DRF's ModelSerializer with model text columns read as StringField, so that generated fields are as strict as
# declared ones. (A comment, not a docstring: drf-spectacular would show a docstring on every schema component.)
class ModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StringField,
        models.TextField: StringField,
    }
