"""Source adapters: one module or package per source kind, and nothing else. The registry
(extractors/registry.py) finds every entry here; see docs/ARCHITECTURE.md for what one declares."""
