"""Run summaries as text: the markdown report (Prefect artifact) and the terminal table."""
from __future__ import annotations


def _lqs(value, tier) -> str:
    return "–" if value is None else f"{value} {tier}"


def markdown(summary: dict) -> str:
    lines = [
        f"# lqs {summary['kind']} {summary['run_id']}",
        "",
        f"{summary['sources_ok']} ok ({summary.get('sources_unchanged', 0)} unchanged), "
        f"{summary['sources_failed']} failed, {summary['facts']} facts, {summary['bytes']:,} bytes, "
        f"{summary['seconds']} s",
        "",
        "| source | outcome | fetches | facts | LQS before → after | tier change | error |",
        "|---|---|---|---:|---|---|---|",
    ]
    for s in summary["per_source"]:
        fetches = ", ".join(f"{k} {v}" for k, v in sorted(s["fetches"].items())) or "–"
        change = "" if s["tier_before"] == s["tier_after"] or s["tier_after"] is None else \
            f"{s['tier_before'] or 'new'} → {s['tier_after']}"
        error = (s["error"] or "").replace("|", "\\|")[:200]
        lines.append(f"| {s['dataset_id']} | {s['status']} | {fetches} | {s['facts']} | "
                     f"{_lqs(s['lqs_before'], s['tier_before'])} → {_lqs(s['lqs_after'], s['tier_after'])} | "
                     f"{change} | {error} |")
    return "\n".join(lines) + "\n"
