"""Opaque keyset cursors: the sort order and the last row's sort values, base64url JSON."""

import base64
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec


class InvalidCursor(ValueError):
    pass


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def encode_cursor(sort: str, values: Sequence[Any]) -> str:
    raw = msgspec.json.encode([sort, [_plain(v) for v in values]])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str, converters: Sequence[Callable[[Any], Any]]) -> list[Any]:
    """The typed sort values of a cursor made for `sort`; InvalidCursor otherwise."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        cursor_sort, values = msgspec.json.decode(base64.urlsafe_b64decode(padded))
        if cursor_sort != sort or len(values) != len(converters):
            raise InvalidCursor("cursor of another list or order")
        return [convert(v) for convert, v in zip(converters, values, strict=True)]
    except (ValueError, TypeError, msgspec.DecodeError) as exc:
        raise InvalidCursor(str(exc)) from exc


def like_pattern(text: str) -> str:
    """`%text%` for ILIKE with the caller's wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
