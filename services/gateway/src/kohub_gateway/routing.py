"""Which service owns a path of the public API (`/api/v1/<family>/…`)."""

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
}
SERVICE_NAMES = {
    "ticket": "ticket service",
    "host": "host service",
    "adapter": "adapter gateway",
    "integration": "integration service",
}


def owner_of(path: str) -> str | None:
    """The service owning `path` (`/api/v1/tickets/…` → `ticket`); None for no one."""
    if not path.startswith(API_PREFIX):
        return None
    family = path[len(API_PREFIX) :].split("/", 1)[0]
    return OWNERS.get(family)
