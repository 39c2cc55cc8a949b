"""Queries that run on every request, compiled to SQL once per database connection instead of on every call.

Compiling a queryset costs about 0.5–0.9 ms of Python (issue 10: a third of the API's fixed cost was the token
lookup's compilation), while running the compiled SQL costs a tenth of that. The SQL, the column converters and
the `select_related` populators are the ORM's own, taken from one compilation; each call only runs the SQL with
its own parameters and builds the instances (or the `values()` rows) the ORM would have built.

Only for querysets whose shape does not depend on the parameters: the same joins and conditions whatever the
values, as `Model.objects.filter(field=value)` has.
"""

import weakref
from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable, ValuesIterable, get_related_populators

# Stand in for the parameters while compiling; never sent to the database. Integers stay within a 32-bit
# column's range (Django refuses a larger value for one), and no real id or constant is negative.
_PLACEHOLDERS = {str: ("\x00precompiled-0\x00", "\x00precompiled-1\x00"), int: (-2_000_000_001, -2_000_000_002)}


class _Compiled:
    def __init__(self, queryset: QuerySet, alias: str, placeholders: tuple):
        compiler = queryset.query.get_compiler(using=alias)
        self.sql, params = compiler.as_sql()
        # Where each call's values go among the compiled parameters; the others are constants of the query.
        self.params = [(placeholders.index(p) if p in placeholders else None, p) for p in params]
        if {i for i, _ in self.params if i is not None} != set(range(len(placeholders))):
            raise ValueError(f"every parameter must reach the SQL once compiled, not {params!r}")
        self.compiler = compiler
        select, query = compiler.select, queryset.query
        self.converters = compiler.get_converters([column[0] for column in select[: compiler.col_count]])
        if queryset._iterable_class is ValuesIterable:  # values(): the names as ValuesIterable gives them
            self.names = (
                list(query.selected)
                if query.selected
                else [*query.extra_select, *query.values_select, *query.annotation_select]
            )
            return
        if queryset._iterable_class is not ModelIterable or compiler.annotation_col_map or query.extra_select:
            raise ValueError("a precompiled query builds plain instances (no annotations) or values() rows")
        if queryset._known_related_objects:
            raise ValueError("a precompiled query builds plain instances, not ones reached from another object")
        self.names = None
        klass_info = compiler.klass_info
        self.model = klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [column[0].target.attname for column in select[self.start : self.end]]
        self.populators = get_related_populators(klass_info, select, alias)


class PrecompiledQuery:
    """`PrecompiledQuery(lambda value: Model.objects.filter(field=value)[:1]).first(value)`: the first instance,
    with its `select_related` objects, or the first `values()` row, as the queryset would give it.

    `types` says what the parameters are (str or int), in the order `build` takes them."""

    def __init__(self, build: Callable[..., QuerySet], *, types: tuple = (str,), using: str = DEFAULT_DB_ALIAS):
        self.build, self.using = build, using
        self.placeholders = tuple(_PLACEHOLDERS[kind][i] for i, kind in enumerate(types))
        # One compilation per connection object (a thread's), dropped with it.
        self._compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def first(self, *values) -> Model | dict | None:
        connection = connections[self.using]
        compiled = self._compiled.get(connection)
        if compiled is None:
            queryset = self.build(*self.placeholders)
            compiled = self._compiled[connection] = _Compiled(queryset, self.using, self.placeholders)
        params = [constant if i is None else values[i] for i, constant in compiled.params]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        if compiled.converters:
            row = next(compiled.compiler.apply_converters([row], compiled.converters))
        if compiled.names is not None:
            return dict(zip(compiled.names, row, strict=True))
        obj = compiled.model.from_db(self.using, compiled.init_list, row[compiled.start : compiled.end])
        for populator in compiled.populators:
            populator.populate(row, obj)
        return obj
