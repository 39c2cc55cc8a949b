"""The read fast path of the API: a resource's representation built from `values()` rows, as its serializer would.

A read-only ModelSerializer of a resource is only a projection of columns, but it costs a model instance and a
field-by-field walk per row (issue 10: most of a list's time). A `Projection` is derived from that serializer,
so the serializer stays the one description of the response (the OpenAPI schema is generated from it, and
writes use it): each of its fields becomes a `values()` path and a converter, and the rows are turned into the
same dicts. Fields whose output equals the database value (text, choices, integers, booleans) are copied;
dates, date-times and decimals go through the serializer field's own `to_representation`, so their format is
DRF's. A field the builder cannot map (a method field, a custom relation) must be given explicitly, as a path
or as `computed` (one query for the whole page), otherwise building the projection fails loudly.
tests/api/test_projection.py compares both paths' output for the same rows, field by field.
"""

from collections.abc import Callable, Iterable
from functools import cached_property

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from rest_framework import ISO_8601, relations
from rest_framework import fields as drf_fields
from rest_framework.settings import api_settings

# The database value of these fields is already what the serializer outputs.
_VERBATIM = (
    drf_fields.CharField,
    drf_fields.ChoiceField,
    drf_fields.IntegerField,
    drf_fields.BooleanField,
)
# These are converted by the serializer field itself (a format the API promises).
_CONVERTED = (drf_fields.DateTimeField, drf_fields.DateField, drf_fields.DecimalField, drf_fields.FloatField)
# Relations shown as the related row's id or one of its columns.
_RELATIONS = (relations.PrimaryKeyRelatedField, relations.SlugRelatedField)


class Projection:
    """`paths` maps a field to its values() path where the serializer's source is not one (e.g. a username);
    `computed` maps a field to a function taking the page's ids and returning {id: value}."""

    def __init__(
        self,
        serializer_class,
        *,
        paths: dict[str, str] | None = None,
        computed: dict[str, Callable[[list[int]], dict]] | None = None,
    ):
        self.serializer_class = serializer_class
        self.paths = paths or {}
        self.computed = computed or {}

    @cached_property
    def _plan(self) -> tuple[list[str], list[tuple[str, str, Callable | None]]]:
        """Built on first use (the serializer's fields need the app registry): the values() paths, and per
        output field (name, path, converter or None)."""
        columns: list[str] = ["id"]
        plan: list[tuple[str, str, Callable | None]] = []
        for name, field in self.serializer_class().fields.items():
            if name in self.computed:
                plan.append((name, "", None))
                continue
            path = self.paths.get(name)
            if path is None:
                path = _path_of(name, field)
            convert = field.to_representation if isinstance(field, _CONVERTED) else None
            if _plain_datetime(field):
                convert = _ISO_DATETIME
            if name not in self.paths and not isinstance(field, (*_VERBATIM, *_CONVERTED, *_RELATIONS)):
                raise TypeError(f"{self.serializer_class.__name__}.{name}: give its values() path or compute it")
            if path not in columns:
                columns.append(path)
            plan.append((name, path, convert))
        return columns, plan

    def values(self, queryset: QuerySet) -> QuerySet:
        """The queryset reading only what the representation shows (no instances, no prefetches)."""
        return queryset.prefetch_related(None).values(*self._plan[0])

    def represent(self, rows: Iterable[dict]) -> list[dict]:
        rows = list(rows)
        plan = self._plan[1]
        if any(convert is _ISO_DATETIME for _, _, convert in plan):
            iso = _iso_datetime(timezone.get_current_timezone() if settings.USE_TZ else None)
            plan = [(name, path, iso if convert is _ISO_DATETIME else convert) for name, path, convert in plan]
        extra = {name: compute([row["id"] for row in rows]) for name, compute in self.computed.items()}
        out = []
        for row in rows:
            item = {}
            for name, path, convert in plan:
                if not path:
                    item[name] = extra[name].get(row["id"])
                    continue
                value = row[path]
                # The serializer writes None for a missing value without calling the field.
                item[name] = convert(value) if convert is not None and value is not None else value
            out.append(item)
        return out

    def represent_one(self, row: dict) -> dict:
        return self.represent([row])[0]


# DRF's DateTimeField.to_representation spends most of its time finding the time zone, once per value; it is
# the same for a whole page, so the default-format fields are converted with the zone found once per call.
_ISO_DATETIME = object()


def _plain_datetime(field) -> bool:
    return (
        isinstance(field, drf_fields.DateTimeField)
        and not hasattr(field, "timezone")
        and getattr(field, "format", api_settings.DATETIME_FORMAT).lower() == ISO_8601
    )


def _iso_datetime(zone) -> Callable:
    def convert(value):
        if zone is None or value.tzinfo is None:
            return drf_fields.DateTimeField().to_representation(value)
        # What DateTimeField.to_representation does with an aware value in the ISO 8601 format.
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return convert


def _path_of(name: str, field) -> str:
    source = field.source if field.source not in (None, "*") else name
    if isinstance(field, relations.PrimaryKeyRelatedField):
        return source.replace(".", "__")  # the foreign key's column: its value is the id
    if isinstance(field, relations.SlugRelatedField):
        return f"{source.replace('.', '__')}__{field.slug_field}"
    return source.replace(".", "__")
