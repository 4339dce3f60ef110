"""Just enough multipart/form-data to read one field: Uptime Kuma's form-data webhook body
(the `form-data` npm package) carries the notification's JSON in the field `data`."""

import re

from kohub_adapter.domain.alerts import MalformedPayload


def parse_media_type(content_type: str | None) -> tuple[str, dict[str, str]]:
    if not content_type:
        return "", {}
    media_type, *rest = content_type.split(";")
    params: dict[str, str] = {}
    for item in rest:
        key, sep, value = item.partition("=")
        if sep:
            params[key.strip().lower()] = value.strip().strip('"')
    return media_type.strip().lower(), params


def form_data_field(data: bytes, params: dict[str, str]) -> bytes:
    """The value of the multipart/form-data field `data` (form-data's body of Uptime Kuma)."""
    boundary = params.get("boundary")
    if not boundary:
        raise MalformedPayload(
            "The content type is multipart/form-data but has no boundary parameter."
        )
    delimiter = b"--" + boundary.encode("latin-1")
    if delimiter not in data:
        raise MalformedPayload(
            f"The multipart body does not contain its boundary {boundary!r}; expected "
            "Uptime Kuma's form-data body with the JSON in the field `data`."
        )
    for part in data.split(delimiter)[1:]:
        if part.startswith(b"--"):
            break  # the closing delimiter
        head, sep, value = _split_part(part)
        if not sep:
            continue
        if _form_field_name(head) == "data":
            if value.endswith(b"\r\n"):
                value = value[:-2]
            elif value.endswith(b"\n"):
                value = value[:-1]
            return value
    raise MalformedPayload(
        "The multipart body has no field `data`; Uptime Kuma's form-data body puts the JSON "
        "of the notification in the field `data`."
    )


def _split_part(part: bytes) -> tuple[bytes, bytes, bytes]:
    part = part.removeprefix(b"\r\n").removeprefix(b"\n")
    head, sep, value = part.partition(b"\r\n\r\n")
    if not sep:
        head, sep, value = part.partition(b"\n\n")
    return head, sep, value


_FIELD_NAME = re.compile(rb'(?:^|;)\s*name\s*=\s*(?:"(?P<quoted>[^"]*)"|(?P<bare>[^;\s]+))', re.I)


def _form_field_name(head: bytes) -> str | None:
    for line in head.splitlines():
        key, _, value = line.partition(b":")
        if key.strip().lower() != b"content-disposition":
            continue
        match = _FIELD_NAME.search(value)
        if match is None:
            return None
        raw = match["quoted"] if match["quoted"] is not None else match["bare"]
        return raw.decode("utf-8", "replace")
    return None
