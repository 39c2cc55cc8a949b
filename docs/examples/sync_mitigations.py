"""Keep a ticketing system and Hazlog's mitigations in step, with nothing but Python's standard library.

    HAZLOG_URL=https://hazlog.example.com HAZLOG_TOKEN=hzl_... python sync_mitigations.py [--once]

It shows the three things a correct two-way sync needs (docs/api.md explains each):

1. Pull: page through mitigations changed since the last pass (`updated_since`), and remember the
   `next_updated_since` of the pass, not a timestamp of your own, so that nothing committed late is missed.
2. Push: change a mitigation through its ticket key with `If-Match`; a 412 means someone changed it since
   you read it, so read again and re-apply only what the ticket owns, instead of overwriting their change.
3. Create: POST with an `Idempotency-Key` derived from the ticket, so a retry after a timeout creates once.

Replace `TicketSystem` with calls to your tracker (Jira, GitHub issues, ServiceNow...).
"""

import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path


class HazlogError(Exception):
    def __init__(self, status: int, body: dict):
        super().__init__(f"{status} {body.get('code')}: {body.get('detail')}")
        self.status, self.body = status, body


class Hazlog:
    """A tiny client: JSON in and out, the token in the Authorization header, polite retries on 429/503."""

    def __init__(self, base_url: str, token: str, timeout: float = 30):
        if urllib.parse.urlsplit(base_url).scheme not in ("http", "https"):
            raise ValueError("HAZLOG_URL must be an http(s) URL")
        self.base = base_url.rstrip("/") + "/api/v1/"
        self.token, self.timeout = token, timeout

    def request(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        """(status, response headers, JSON body); raises HazlogError for errors other than 412."""
        url = path if path.startswith("http") else urllib.parse.urljoin(self.base, path)
        data = json.dumps(body).encode() if body is not None else None
        all_headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json", **(headers or {})}
        if data is not None:
            all_headers["Content-Type"] = "application/json"
        for attempt in range(5):
            # The base URL is checked to be http(s) above, and `next` links come from the same server.
            request = urllib.request.Request(url, data=data, method=method, headers=all_headers)  # noqa: S310
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                    raw = response.read()
                    return response.status, response.headers, json.loads(raw) if raw else None
            except urllib.error.HTTPError as error:
                payload = json.loads(error.read() or b"{}")
                if error.code in (429, 503) and attempt < 4:
                    time.sleep(min(int(error.headers.get("Retry-After", "1")), 60))
                    continue
                if error.code == 412:
                    return error.code, error.headers, payload
                raise HazlogError(error.code, payload) from None
        raise HazlogError(429, {"code": "throttled", "detail": "Still throttled after 5 tries."})

    # --- 1. Pull ---------------------------------------------------------------------------------------

    def changed_mitigations(self, since: str | None, **filters) -> tuple[list[dict], str]:
        """Every mitigation changed at or after `since` (all of them when None), and the `since` for the
        next pass. A mitigation changed during the pass may come twice; the newest version wins."""
        query = {**filters, "page_size": 200}
        if since:
            query["updated_since"] = since
        url = "mitigations/?" + urllib.parse.urlencode(query)
        rows, resume_from = {}, None
        while url:
            _, _, page = self.request("GET", url)
            for row in page["results"]:
                if row["version"] >= rows.get(row["id"], {}).get("version", 0):
                    rows[row["id"]] = row
            resume_from = resume_from or page["next_updated_since"]  # the same on every page of a pass
            url = page["next"]
        return list(rows.values()), resume_from

    def deleted_since(self, since: str | None) -> list[dict]:
        """Mitigations deleted at or after `since`, from the events feed (deleted rows are not in lists)."""
        query = {"action": "mitigation.deleted", "page_size": 200, **({"updated_since": since} if since else {})}
        url, events = "events/?" + urllib.parse.urlencode(query), []
        while url:
            _, _, page = self.request("GET", url)
            events.extend(page["results"])
            url = page["next"]
        return events

    # --- 2. Push ---------------------------------------------------------------------------------------

    def set_from_ticket(self, system: str, key: str, changes: dict, *, attempts: int = 5) -> dict:
        """Apply the fields a ticket owns (status, owner, due date...) without overwriting anyone's edit."""
        url = "mitigations/by-ticket/?" + urllib.parse.urlencode({"external_system": system, "external_key": key})
        for _ in range(attempts):
            _, headers, current = self.request("GET", url)
            if all(current.get(field) == value for field, value in changes.items()):
                return current  # already in step
            status, _, body = self.request("PATCH", url, changes, {"If-Match": headers["ETag"]})
            if status == 200:
                return body
            # 412: changed by someone else after our read. Nothing was written; read again and re-apply.
        raise HazlogError(412, {"code": "stale_version", "detail": f"{system} {key} kept changing; try later."})

    # --- 3. Create -------------------------------------------------------------------------------------

    def create_for_ticket(self, assessment_id: int, system: str, key: str, title: str, kind: str) -> dict:
        """Create the mitigation a new ticket stands for; retrying this call never creates two."""
        body = {
            "assessment": assessment_id,
            "title": title,
            "kind": kind,
            "external_system": system,
            "external_key": key,
        }
        _, _, created = self.request(
            "POST", "mitigations/", body, {"Idempotency-Key": f"create-mitigation:{system}:{key}"}
        )
        return created


class TicketSystem:
    """Stands in for your tracker: prints what a real integration would write there."""

    def upsert(self, mitigation: dict) -> None:
        print(f"ticket {mitigation['external_key'] or '(none)'} ← {mitigation['ref']} {mitigation['status']}")

    def close(self, event: dict) -> None:
        print(f"ticket of {event['object_ref']} closed: the mitigation was deleted")


def sync_once(hazlog: Hazlog, tickets: TicketSystem, state: dict) -> dict:
    """One pass Hazlog → tickets; returns the state to keep for the next pass."""
    changed, resume_from = hazlog.changed_mitigations(state.get("since"))
    for mitigation in changed:
        tickets.upsert(mitigation)
    for event in hazlog.deleted_since(state.get("since")):
        tickets.close(event)
    return {"since": resume_from}


def main(argv: list[str]) -> int:
    hazlog = Hazlog(os.environ["HAZLOG_URL"], os.environ["HAZLOG_TOKEN"])
    state_file = Path(os.environ.get("HAZLOG_SYNC_STATE", "hazlog-sync-state.json"))
    state = json.loads(state_file.read_text()) if state_file.exists() else {}
    while True:
        state = sync_once(hazlog, TicketSystem(), state)
        state_file.write_text(json.dumps(state))  # only after the pass: a crash repeats it, never skips it
        if "--once" in argv:
            return 0
        time.sleep(60)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
