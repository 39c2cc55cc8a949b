"""The evidence files and links of an export: one list (who attached what, when), its table, and the files.

The scenarios and mitigations carry their attachments in the signed content (name, type, size, SHA-256 or
URL); this list adds who attached each and when, from the rows (frozen with the content once submitted).
With `include_files` the JSON export is a zip holding each file's bytes at attachments/<sha256>/<name>.
"""

import json
import zipfile
from pathlib import Path
from typing import Any

from django.apps import apps

HEADER = ["On", "Kind", "Name", "Type", "Size (bytes)", "SHA-256", "URL", "Added by", "Added at"]
JSON_NAME = "export.json"


def _key(ref: str, item: dict) -> tuple:
    return (ref, item["kind"], item["name"], item.get("sha256") or "", item.get("url") or "")


def section(assessment, content: dict) -> list[dict[str, Any]]:
    """One entry per attachment of the content, scenarios first, in content order (one query)."""
    listed = [
        (item["ref"], attachment)
        for item in (*content["scenarios"], *content["mitigations"])
        for attachment in item.get("attachments", [])
    ]
    if not listed:
        return []
    # Reached by name: assessments never imports hazards.
    model = apps.get_model("hazards", "Attachment")
    who: dict[tuple, tuple] = {}
    for row in model.objects.filter(assessment=assessment).values(
        "scenario__ref", "mitigation__ref", "kind", "name", "sha256", "url", "created_by__username", "created_at"
    ):
        ref = row["scenario__ref"] or row["mitigation__ref"]
        who.setdefault(_key(ref, row), (row["created_by__username"], row["created_at"]))
    entries = []
    for ref, item in listed:
        added_by, added_at = who.get(_key(ref, item), (None, None))
        entries.append(
            {
                "on": ref,
                **item,
                "added_by": added_by,
                "added_at": added_at.isoformat() if added_at else None,
            }
        )
    return entries


def rows(entries: list[dict]) -> list[list]:
    return [
        [e["on"], e["kind"], e["name"], e["type"], e["size"], e["sha256"], e["url"], e["added_by"], e["added_at"]]
        for e in entries
    ]


def member_name(entry: dict) -> str:
    return f"attachments/{entry['sha256']}/{entry['name']}"


def write_zip(document: dict, path: Path) -> None:
    """The JSON export and every file it names, in one zip; a file's bytes once per distinct (hash, name)."""
    storage = apps.get_app_config("hazards").attachment_storage()
    files = [e for e in document.get("attachments", []) if e["kind"] == "file"]
    for entry in files:
        entry["path"] = member_name(entry)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(JSON_NAME, json.dumps(document, ensure_ascii=False, indent=1))
        written = set()
        for entry in files:
            if entry["path"] in written:
                continue
            written.add(entry["path"])
            with storage.open_file(entry["sha256"]) as source, archive.open(entry["path"], "w") as target:
                for chunk in iter(lambda: source.read(64 * 1024), b""):
                    target.write(chunk)
