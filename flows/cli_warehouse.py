"""Warehouse commands of `lqs` (history, publishing); registered on the main app."""
from __future__ import annotations

from flows.cli import app  # noqa: F401  (commands below register on it)
