"""Which service owns a path of the public API (`/api/v1/<family>/…`)."""

import re
from urllib.parse import unquote

_DOT_SEGMENT = re.compile(r"(^|/)\.{1,2}(/|$)")
# Calls that take long by nature: collecting terminal recordings (the ticket service asks
# the adapter gateway, which fetches each recording from Termix, then reads them).
_LONG_CALLS = re.compile(r"^/api/v1/tickets/[^/]+/terminal-logs$")
LONG_CALL_SECONDS = 120.0

API_PREFIX = "/api/v1/"
OWNERS: dict[str, str] = {
    "tickets": "ticket",
    "hosts": "host",
    "organizations": "host",
    "webhook-sources": "adapter",
    "webhooks": "adapter",
    "alerts": "adapter",
    "adapter-events": "adapter",
    "adapters": "adapter",
    "me": "adapter",  # the caller's own settings: their Termix key
}
SERVICE_NAMES = {
    "ticket": "ticket service",
    "host": "host service",
    "adapter": "adapter gateway",
    "integration": "integration service",
}


def owner_of(path: str) -> str | None:
    """The service owning `path` (`/api/v1/tickets/…` → `ticket`); None for no one, and for
    a path with dot segments (which could climb out of `/api/v1` at the owner)."""
    if not path.startswith(API_PREFIX) or _DOT_SEGMENT.search(unquote(path)):
        return None
    family = path[len(API_PREFIX) :].split("/", 1)[0]
    return OWNERS.get(family)


def read_timeout(method: str, path: str, default: float) -> float:
    """How long an owner may take to answer this call (then 504)."""
    if method == "POST" and _LONG_CALLS.match(path):
        return max(default, LONG_CALL_SECONDS)
    return default
