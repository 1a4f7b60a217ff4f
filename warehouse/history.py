"""Reads of the warehouse's history: the `changes` view (migration 003) for a window of time,
in the order `lqs diff` and `lqs publish` show it: licence and commercial-use changes first."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from warehouse.db import WarehouseError, fetch_one

COLUMNS = ("run_id", "changed_at", "dataset_id", "kind", "item", "change", "old_value", "new_value",
           "flagged", "evidence", "source_url", "prev_run_id")
JSON_COLUMNS = ("old_value", "new_value")
# Flagged rows first; then in time order, a dataset's own status before its facts and scores.
ORDER = ("flagged desc, changed_at, dataset_id, "
         "case kind when 'dataset' then 0 when 'fact' then 1 when 'lqs' then 2 else 3 end, item")


def select_sql(where: str = "true") -> str:
    """The ordered query over `changes`; `where` may use ? parameters."""
    return f"select {', '.join(COLUMNS)} from changes where {where} order by {ORDER}"


def resolve_since(con, since: str | None) -> datetime | None:
    """The start of a `--since` window: a run id (that run and later), a date or a date-time.
    Without one: the latest harvest or refresh run (and the score runs after it)."""
    if since is None:
        return fetch_one(con, "select max(started_at) from runs where kind <> 'score'")[0]
    row = fetch_one(con, "select started_at from runs where run_id = ?", [since])
    if row is not None:
        return row[0]
    try:
        start = datetime.fromisoformat(since)
    except ValueError:
        raise WarehouseError(f"--since {since!r}: not a run id in the warehouse, nor a date "
                             "(YYYY-MM-DD or YYYY-MM-DDTHH:MM)") from None
    # The warehouse keeps UTC without a zone; a date with one is converted.
    return start.astimezone(timezone.utc).replace(tzinfo=None) if start.tzinfo else start


def changes_since(con, since: str | None = None, dataset_id: str | None = None) -> list[dict]:
    """Changes recorded at or after the start of the window, optionally for one dataset."""
    start = resolve_since(con, since)
    if start is None:
        return []
    where, params = "changed_at >= ?", [start]
    if dataset_id is not None:
        where += " and dataset_id = ?"
        params.append(dataset_id)
    return rows_as_dicts(con.execute(select_sql(where), params).fetchall())


def rows_as_dicts(rows: list[tuple]) -> list[dict]:
    """Rows of select_sql() as dicts, the JSON columns parsed."""
    out = []
    for row in rows:
        item = dict(zip(COLUMNS, row))
        for column in JSON_COLUMNS:
            if item[column] is not None:
                item[column] = json.loads(item[column])
        out.append(item)
    return out


def describe(change: dict) -> str:
    """`old → new` of one change as short text."""
    old, new = (_short(change[c]) for c in JSON_COLUMNS)
    if change["change"] == "appeared":
        return f"+ {new}"
    if change["change"] == "disappeared":
        return f"- {old}"
    if change["change"] == "added":
        return "new dataset"
    return f"{old} → {new}"


def _short(value, limit: int = 60) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit - 1] + "…"
