"""The API's orjson renderer writes the same bytes as DRF's JSONRenderer for what the API answers."""

import datetime
import decimal
import uuid

from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from assessments.rest.renderers import FastJSONRenderer


def test_the_same_bytes_as_drfs_renderer():
    payload = ReturnDict(
        {
            "results": ReturnList(
                [
                    {
                        "id": 1,
                        "at": datetime.datetime(2026, 12, 7, 23, 59, 1, 123456, tzinfo=datetime.UTC),
                        "on": datetime.date(2027, 2, 28),
                        "time": datetime.time(6, 30),
                        "took": datetime.timedelta(seconds=90),
                        "score": decimal.Decimal("0.125"),
                        "rate": 0.5,
                        "label": gettext_lazy("Not found."),
                        "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
                        "text": 'Überlänge — “quotes”, a line\u2028separator and\u2029another, "escapes" \\ \n',
                        "none": None,
                        "flags": [True, False],
                        "nested": {"cells": {1: "low", 2: "high"}},
                    }
                ],
                serializer=None,
            ),
            "next": None,
        },
        serializer=None,
    )
    assert FastJSONRenderer().render(payload) == JSONRenderer().render(payload)


def test_nothing_is_an_empty_body_and_an_indent_is_honoured():
    assert FastJSONRenderer().render(None) == b""
    indented = FastJSONRenderer().render({"a": [1]}, "application/json; indent=2")
    assert indented == JSONRenderer().render({"a": [1]}, "application/json; indent=2")
