"""The base of every Hazlog viewset: scoped reads through selectors, versioned single-object responses.

A resource viewset says how to fetch one object (`fetch`, a scoped selector: 404 outside the caller's
projects) and how to list (`list_queryset`, a scoped selector with the validated filters); writes are its
own methods calling services. List, retrieve and the ETag handling live here, once.

A viewset with a `projection` (assessments/rest/projection.py) answers reads from `values()` rows of the same
scoped list selector instead of model instances through its serializer: the same JSON, a fraction of the cost.
"""

from django.core.exceptions import PermissionDenied
from rest_framework import status, viewsets
from rest_framework.response import Response

from assessments.models import Via
from assessments.rest import conditional

VIA = Via.API


class ApiViewSet(viewsets.GenericViewSet):
    # At most 18 digits: always a valid bigint, so a huge id is a 404, never a database error.
    lookup_value_regex = "[0-9]{1,18}"
    # Resources with a version field get ETags and honour If-Match.
    versioned = True
    # The column lists are ordered and filtered on by `updated_since` (see pagination.py).
    sync_field = "updated_at"
    # Validates and documents the list filters; its validated data goes to list_queryset.
    filter_serializer_class = None
    # Service field names that the API calls differently, for 400 error keys.
    error_field_map: dict[str, str] = {}
    # The read fast path, derived from serializer_class; None reads model instances through the serializer.
    projection = None
    # That path's one row, compiled once (assessments/precompiled.py): first(user id, object id) -> row or None.
    row_query = None

    def fetch(self, pk):
        raise NotImplementedError

    def list_queryset(self, filters: dict):
        raise NotImplementedError

    def filters(self) -> dict:
        if self.filter_serializer_class is None:
            return {}
        # A plain dict, not the QueryDict: DRF reads an empty form value as "not given", but `?status=` is a
        # value the schema does not allow, so it is a 400 like any other.
        data = self.request.query_params.dict()
        serializer = self.filter_serializer_class(data=data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def validated(self, serializer_class, *, partial: bool = False) -> dict:
        serializer = serializer_class(data=self.request.data, partial=partial, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def require(self, capability, project, message: str) -> None:
        """A named permission function from assessments.permissions, checked before any input is read."""
        if not capability(self.request.user, project):
            raise PermissionDenied(message)

    def object_response(self, obj, *, status_code=status.HTTP_200_OK, headers=None) -> Response:
        data = self.projection.represent_one(obj) if isinstance(obj, dict) else self.get_serializer(obj).data
        response = Response(data, status=status_code, headers=headers)
        if self.versioned:
            response["ETag"] = conditional.etag_for(obj)
        return response

    def plain_response(self, data, *, status_code=status.HTTP_200_OK) -> Response:
        return Response(data, status=status_code)

    def not_modified(self, obj) -> Response:
        return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": conditional.etag_for(obj)})

    def no_content(self) -> Response:
        return Response(status=status.HTTP_204_NO_CONTENT)

    def current(self, pk):
        """The object fresh from its selector after a write, as the response shows it."""
        if self.projection is not None:
            return self.fetch_row(pk)
        return self.fetch(pk)

    def fetch_row(self, pk):
        """One row through the projection, scoped by the same selector as the list; outside the caller's
        projects `fetch` gives its 404 (and its message)."""
        if self.row_query is not None:
            row = self.row_query.first(self.request.user.pk, int(pk))
        else:
            rows = list(self.projection.values(self.list_queryset({}).filter(pk=pk))[:1])
            row = rows[0] if rows else None
        return row if row is not None else self.fetch(pk)


class ListMixin:
    def list(self, request, *args, **kwargs):
        queryset = self.list_queryset(self.filters())
        if self.projection is not None:
            page = self.paginate_queryset(self.projection.values(queryset))
            return self.get_paginated_response(self.projection.represent(page))
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class RetrieveMixin:
    def retrieve(self, request, *args, **kwargs):
        pk = kwargs[self.lookup_url_kwarg or self.lookup_field]
        obj = self.fetch_row(pk) if self.projection is not None else self.fetch(pk)
        if self.versioned and conditional.not_modified(request, obj):
            return self.not_modified(obj)
        return self.object_response(obj)
