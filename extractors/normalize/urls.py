"""URL comparisons and file names from links, shared by the adapters."""
from __future__ import annotations

from urllib.parse import urlsplit


def same_page(a: str | None, b: str | None) -> bool:
    """URLs equal up to scheme, leading www., trailing slash and case of the host (a homepage
    that is the input's own page is not stated as a homepage)."""
    def key(u: str) -> str:
        parts = urlsplit(u.strip())
        host = (parts.hostname or "").lower().removeprefix("www.")
        return f"{host}{parts.path.rstrip('/')}?{parts.query}"
    return bool(a and b) and key(a) == key(b)


def basename(link: str) -> str:
    """The last path segment of a URL, or of the string itself when it is no URL (a relative
    path in a metadata file). Not percent-decoded: callers that name files decode it."""
    path = urlsplit(link).path if "://" in link else link
    return path.rstrip("/").rsplit("/", 1)[-1]
