"""AsyncAPI 3.0 documents of the events a service publishes and consumes.

FastStream generates AsyncAPI from pydantic-typed handlers; kohub's contracts are msgspec
Structs, which its generator cannot describe, so the document is built here from the same
Structs that encode the messages (`msgspec.json.schema_components`), and served by each
service at `/asyncapi.json`.
"""

from dataclasses import dataclass
from typing import Any, Literal

import msgspec
from litestar import get

from kohub_contracts.envelope import Envelope
from kohub_contracts.routing import KOHUB_EVENTS_EXCHANGE


@dataclass(frozen=True, slots=True)
class EventDoc:
    event_type: str
    """Also the routing key."""
    exchange: str
    data_type: Any
    description: str
    action: Literal["send", "receive"] = "send"


def _message_name(event: EventDoc) -> str:
    name = "".join(p.capitalize() for p in event.event_type.replace("_", ".").split(".")) + "Event"
    return name if event.exchange == KOHUB_EVENTS_EXCHANGE else _exchange_prefix(event) + name


def _channel_id(event: EventDoc) -> str:
    """The routing key; on another exchange than kohub.events prefixed with it, since
    `ticket.escalated` is a key on both kohub.events and kusthub.events."""
    if event.exchange == KOHUB_EVENTS_EXCHANGE:
        return event.event_type
    return f"{event.exchange}:{event.event_type}"


def _exchange_prefix(event: EventDoc) -> str:
    return event.exchange.split(".")[0].capitalize()


def asyncapi_document(
    *, title: str, version: str, description: str, events: list[EventDoc]
) -> dict[str, Any]:
    envelopes = [Envelope[e.data_type] for e in events]  # type: ignore[name-defined]
    refs, schemas = msgspec.json.schema_components(
        envelopes, ref_template="#/components/schemas/{name}"
    )
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for event, ref in zip(events, refs, strict=True):
        name = _message_name(event)
        channel = _channel_id(event)
        messages[name] = {
            "name": event.event_type,
            "title": event.event_type,
            "summary": event.description,
            "contentType": "application/json",
            "payload": ref,
            "correlationId": {"location": "$message.header#/correlation_id"},
            "bindings": {"amqp": {"messageType": event.event_type}},
        }
        channels[channel] = {
            "address": event.event_type,
            "description": f"Routing key `{event.event_type}` on the `{event.exchange}` exchange.",
            "messages": {name: {"$ref": f"#/components/messages/{name}"}},
            "bindings": {
                "amqp": {
                    "is": "routingKey",
                    "exchange": {
                        "name": event.exchange,
                        "type": "topic",
                        "durable": True,
                        "autoDelete": False,
                    },
                }
            },
        }
        operations[f"{event.action}.{channel}"] = {
            "action": event.action,
            "channel": {"$ref": f"#/channels/{channel}"},
            "summary": event.description,
            "messages": [{"$ref": f"#/channels/{channel}/messages/{name}"}],
            "bindings": {"amqp": {"deliveryMode": 2, "mandatory": False}},
        }
    return {
        "asyncapi": "3.0.0",
        "info": {"title": title, "version": version, "description": description},
        "defaultContentType": "application/json",
        "servers": {
            "rabbitmq": {
                "host": "rabbitmq:5672",
                "protocol": "amqp",
                "protocolVersion": "0.9.1",
                "description": "Every message is persistent, sent with publisher "
                "confirms; message_id is the envelope's eventId.",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def asyncapi_handler(document: dict[str, Any]) -> Any:
    body = msgspec.json.encode(document)

    @get(
        "/asyncapi.json",
        tags=["operations"],
        media_type="application/json",
        summary="AsyncAPI 3.0 document of this service's events",
        sync_to_thread=False,
    )
    def asyncapi() -> bytes:
        return body

    return asyncapi
