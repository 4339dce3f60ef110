"""Small shapes shared by several contracts."""

from typing import Generic, TypeVar

import msgspec

T = TypeVar("T")


class Camel(msgspec.Struct, rename="camel", omit_defaults=False, forbid_unknown_fields=False):
    """Base of every wire shape: camelCase JSON, as seed §3.2 and §4.2 spell it."""


class Ref(Camel):
    """A reference to another entity with the name a person reads."""

    id: str
    name: str | None = None


class Page(Camel, Generic[T]):
    """One page of a list: `nextCursor` is null on the last page; `total` counts every match."""

    items: list[T]
    total: int
    next_cursor: str | None = None
    limit: int = 50


class Problem(msgspec.Struct, omit_defaults=True):
    """RFC 9457 problem details (`application/problem+json`)."""

    type: str = "about:blank"
    title: str = ""
    status: int = 500
    detail: str | None = None
    instance: str | None = None
