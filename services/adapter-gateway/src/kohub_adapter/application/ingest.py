"""A webhook from an authenticated source: parse it with the source's adapter, normalize
each alert, and commit the AdapterEvent with everything it led to before the tool hears
back. A body that cannot be read is stored FAILED, for inspection, and refused."""

from collections.abc import Callable
from uuid import UUID, uuid4

from kohub_adapter.application.ports import (
    IngestRecord,
    IngestStore,
    ReceivedRequest,
    StatusObservation,
)
from kohub_adapter.application.tools import AdapterRegistry
from kohub_adapter.domain.alerts import (
    MalformedPayload,
    NoticeKind,
    ParsedWebhook,
    check_ids,
)
from kohub_adapter.domain.mapping import HostMap
from kohub_adapter.domain.normalize import Locale, certificate_alert, normalize
from kohub_adapter.domain.sources import WebhookSource
from kohub_contracts.enums import AdapterEventStatus


class PayloadRejected(Exception):
    """The body is not this tool's webhook; it was stored FAILED as `adapter_event_id`."""

    def __init__(self, adapter_event_id: UUID, reason: str) -> None:
        super().__init__(reason)
        self.adapter_event_id = adapter_event_id
        self.reason = reason


async def receive_webhook(
    source: WebhookSource,
    request: ReceivedRequest,
    *,
    registry: AdapterRegistry,
    host_map: HostMap,
    store: IngestStore,
    locale: Locale,
    new_id: Callable[[], UUID] = uuid4,
) -> IngestRecord:
    event_id = new_id()
    try:
        parsed = registry.get(source.adapter_type).parse_webhook(request.body, request.content_type)
        check_ids(parsed.alerts)
    except MalformedPayload as exc:
        await store.store(
            IngestRecord(event_id, request, source.id, AdapterEventStatus.FAILED, error=str(exc))
        )
        raise PayloadRejected(event_id, str(exc)) from exc
    record = IngestRecord(event_id, request, source.id, AdapterEventStatus.PENDING)
    record.event_type = parsed.event_type
    _normalize(parsed, source, host_map, locale, record, new_id)
    if not record.published:
        # nothing goes to the ticket service, so nothing will come back to settle it
        record.status = AdapterEventStatus.IGNORED
    await store.store(record)
    return record


def _normalize(
    parsed: ParsedWebhook,
    source: WebhookSource,
    host_map: HostMap,
    locale: Locale,
    record: IngestRecord,
    new_id: Callable[[], UUID],
) -> None:
    at = record.request.received_at
    for alert in parsed.alerts:
        host = host_map.find(source.adapter_type, alert.hints, source.id, source.default_org_id)
        normalized = normalize(alert, source, host, locale)
        target = record.published if normalized.org_id is not None else record.unrouted
        target.append((new_id(), normalized))
        if host is not None and alert.observed_status is not None:
            record.observations.append(
                StatusObservation(host, alert.observed_status, alert.occurred_at, alert.summary)
            )
    for notice in parsed.notices:
        host = host_map.find(source.adapter_type, notice.hints, source.id, source.default_org_id)
        if host is None:
            continue
        if notice.observed_status is not None:
            record.observations.append(
                StatusObservation(
                    host, notice.observed_status, notice.occurred_at or at, notice.message
                )
            )
        if notice.kind is NoticeKind.CERTIFICATE:
            record.published.append((new_id(), certificate_alert(notice, source, host, locale, at)))
