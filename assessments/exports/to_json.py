"""The JSON export: the export document itself (schema docs/export-schema.json), complete and re-importable."""

import json
from collections.abc import Callable
from pathlib import Path

EXTENSION = "json"
CONTENT_TYPE = "application/json"


def write(document: dict, path: Path, progress: Callable[[int], None]) -> None:
    with path.open("w", encoding="utf-8") as out:
        json.dump(document, out, ensure_ascii=False, indent=1)
    progress(100)
