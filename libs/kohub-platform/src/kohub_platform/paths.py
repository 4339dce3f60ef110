"""Paths of a request as its client sent them."""

from litestar.types import Scope


def client_path(scope: Scope) -> str:
    """The path as the client sent it: routing to a mounted app rewrites `path`, and some
    clients put the query in `raw_path`."""
    raw = scope.get("raw_path")
    if raw:
        return raw.split(b"?", 1)[0].decode("latin-1")
    return str(scope["path"])
