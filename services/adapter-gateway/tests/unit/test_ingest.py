"""From a stored webhook to normalized alerts: the receive handler on fakes, with the real
parsers and fixtures."""

from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID, uuid4

import pytest

from kohub_adapter.adapters.tools.monitoring import (
    GrafanaAdapter,
    PrometheusAdapter,
    UptimeKumaAdapter,
)
from kohub_adapter.application.ingest import PayloadRejected, receive_webhook
from kohub_adapter.application.ports import IngestRecord, ReceivedRequest
from kohub_adapter.application.tools import AdapterRegistry, Capability, UnsupportedCapability
from kohub_adapter.domain.mapping import HostAdapterRef, HostMap, MappedHost
from kohub_adapter.domain.sources import WebhookSource
from kohub_contracts.enums import (
    AdapterEventStatus,
    AdapterType,
    AlertState,
    HostAdapterStatus,
    HostStatus,
    ObservedHostStatus,
    TicketPriority,
    TicketSource,
)

FIXTURES = Path(__file__).parents[1] / "fixtures"
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
ORG, DEFAULT_ORG = uuid4(), uuid4()


class FakeIngestStore:
    def __init__(self) -> None:
        self.records: list[IngestRecord] = []

    async def store(self, record: IngestRecord) -> None:
        self.records.append(record)


async def _no_history(*_: object) -> list:
    return []


REGISTRY = AdapterRegistry(
    [
        UptimeKumaAdapter(_no_history, lambda: NOW),
        PrometheusAdapter(_no_history, lambda: NOW, client=None, default_url=None),  # type: ignore[arg-type]
        GrafanaAdapter(_no_history, lambda: NOW),
    ]
)


def _source(kind: AdapterType, **kw) -> WebhookSource:
    return WebhookSource.register(source_id=uuid4(), adapter_type=kind, name="tool", at=NOW, **kw)[
        0
    ]


def _kuma_host(source_id: UUID, monitor: str = "1", status=HostStatus.ACTIVE) -> MappedHost:
    adapter = HostAdapterRef(
        uuid4(),
        AdapterType.UPTIME_KUMA,
        HostAdapterStatus.ACTIVE,
        {"sourceId": str(source_id), "monitorId": monitor},
    )
    return MappedHost(uuid4(), ORG, "web-prod-01", status, (adapter,), org_name="acme")


async def _receive(source, fixture: str, hosts=(), locale="ko", content_type="application/json"):
    store = FakeIngestStore()
    record = await receive_webhook(
        source,
        ReceivedRequest(
            source.adapter_type, (FIXTURES / fixture).read_bytes(), content_type, {}, NOW
        ),
        registry=REGISTRY,
        host_map=HostMap.of(hosts),
        store=store,
        locale=locale,
    )
    assert store.records == [record]
    return record


async def test_uptime_kuma_down_on_a_mapped_host_is_the_seeds_critical_alert():
    source = _source(AdapterType.UPTIME_KUMA)
    host = _kuma_host(source.id)
    record = await _receive(source, "uptime_kuma_1_23_down.json", [host])
    assert record.status is AdapterEventStatus.PENDING
    assert record.event_type == "heartbeat"
    [(alert_id, alert)] = record.published
    assert isinstance(alert_id, UUID)
    assert alert.fingerprint == f"uptime-kuma:{source.id}:1"
    assert alert.source_event_id == "uptime-kuma-1-20260130T101500"
    assert alert.state is AlertState.FIRING
    assert alert.priority is TicketPriority.CRITICAL
    assert alert.ticket_source is TicketSource.UPTIME_KUMA
    assert (
        alert.title == "[장애] web-prod-01 - Customer portal: Request failed with status code 503"
    )
    assert alert.host is host and alert.org_id == ORG
    assert alert.links == {"monitor": "https://portal.acme.example/login"}
    [observation] = record.observations
    assert (observation.host, observation.status) == (host, ObservedHostStatus.DOWN)


async def test_titles_follow_the_locale():
    source = _source(AdapterType.UPTIME_KUMA)
    record = await _receive(source, "uptime_kuma_1_23_down.json", [_kuma_host(source.id)], "en")
    assert record.published[0][1].title.startswith("[Outage] web-prod-01 - ")


async def test_multipart_form_data_reads_like_json():
    source = _source(AdapterType.UPTIME_KUMA)
    body = (FIXTURES / "uptime_kuma_form_down.txt").read_bytes()
    boundary = body.split(b"\r\n", 1)[0][2:].decode()
    record = await _receive(
        source,
        "uptime_kuma_form_down.txt",
        [_kuma_host(source.id, monitor="7")],
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert [a.state for _, a in record.published] == [AlertState.FIRING]


async def test_an_unmapped_alert_goes_to_the_sources_default_organization_or_nowhere():
    with_default = _source(AdapterType.UPTIME_KUMA, default_org_id=DEFAULT_ORG)
    record = await _receive(with_default, "uptime_kuma_1_23_down.json")
    [(_, alert)] = record.published
    assert (alert.host, alert.org_id) == (None, DEFAULT_ORG)
    assert alert.title == "[장애] Customer portal - Request failed with status code 503"
    without = _source(AdapterType.UPTIME_KUMA)
    record = await _receive(without, "uptime_kuma_1_23_down.json")
    assert record.published == [] and len(record.unrouted) == 1
    assert record.status is AdapterEventStatus.IGNORED


async def test_pending_and_test_notices_open_nothing_but_pending_is_observed():
    source = _source(AdapterType.UPTIME_KUMA)
    host = _kuma_host(source.id, monitor="5")
    pending = await _receive(source, "uptime_kuma_pending.json", [host])
    assert pending.published == [] and pending.status is AdapterEventStatus.IGNORED
    assert [o.status for o in pending.observations] == [ObservedHostStatus.PENDING]
    test = await _receive(source, "uptime_kuma_test_notification.json", [host])
    assert (test.published, test.observations, test.event_type) == ([], [], "notice")


async def test_a_certificate_notice_opens_a_low_alert_on_the_host_named_like_the_monitor():
    source = _source(AdapterType.UPTIME_KUMA)
    portal = MappedHost(uuid4(), ORG, "Customer portal", HostStatus.ACTIVE, org_name="acme")
    record = await _receive(source, "uptime_kuma_cert_expiry.json", [portal])
    [(_, alert)] = record.published
    assert alert.priority is TicketPriority.LOW and alert.host is portal
    assert alert.title == "[인증서] Customer portal - 만료까지 7일"
    assert alert.fingerprint == f"uptime-kuma:{source.id}:certificate:{portal.host_id}"
    unmapped = await _receive(source, "uptime_kuma_cert_expiry.json")
    assert unmapped.published == [] and unmapped.status is AdapterEventStatus.IGNORED


async def test_alertmanager_alerts_are_handled_one_by_one_with_severity_priorities():
    source = _source(
        AdapterType.PROMETHEUS,
        default_org_id=DEFAULT_ORG,
        priority_overrides={"Critical": TicketPriority.HIGH},
    )
    record = await _receive(source, "alertmanager_firing_two.json")
    alerts = [a for _, a in record.published]
    assert [a.state for a in alerts] == [AlertState.FIRING, AlertState.FIRING, AlertState.RESOLVED]
    assert {a.fingerprint for a in alerts} == {
        f"prometheus:{source.id}:{fp}"
        for fp in ("4d6f1c2b8a9e0f37", "9a1c0e5d7b3f2468", "0b7e5a3c9d1f6e82")
    }
    assert {a.priority for a in alerts} == {TicketPriority.HIGH}  # overridden
    assert record.event_type == "alertmanager.v4"


@pytest.mark.parametrize(
    ("severity", "priority"),
    [
        ("critical", TicketPriority.CRITICAL),
        ("warning", TicketPriority.HIGH),
        ("high", TicketPriority.HIGH),
        ("info", TicketPriority.LOW),
        ("low", TicketPriority.LOW),
        ("page", TicketPriority.MEDIUM),
        (None, TicketPriority.MEDIUM),
    ],
)
def test_severity_to_priority(severity, priority):
    from kohub_adapter.domain.alerts import ParsedAlert
    from kohub_adapter.domain.normalize import priority_of

    alert = ParsedAlert("fp", AlertState.FIRING, "a", "s", NOW, "e", severity=severity)
    assert priority_of(alert, _source(AdapterType.PROMETHEUS)) is priority


async def test_grafana_firing_and_its_test_alert():
    source = _source(AdapterType.GRAFANA, default_org_id=DEFAULT_ORG)
    record = await _receive(source, "grafana_firing.json")
    assert record.published and all(
        a.ticket_source is TicketSource.GRAFANA for _, a in record.published
    )
    assert all("dashboard" in a.links or "panel" in a.links for _, a in record.published)
    test_body = (
        b'{"version":"1","status":"firing","state":"alerting","alerts":[{"status":"firing",'
        b'"labels":{"alertname":"TestAlert","instance":"Grafana"},"annotations":'
        b'{"summary":"Notification test"},"startsAt":"2026-11-29T12:00:00Z",'
        b'"endsAt":"0001-01-01T00:00:00Z","fingerprint":"57c6d9296de2ad39"}]}'
    )
    store = FakeIngestStore()
    record = await receive_webhook(
        source,
        ReceivedRequest(AdapterType.GRAFANA, test_body, "application/json", {}, NOW),
        registry=REGISTRY,
        host_map=HostMap(),
        store=store,
        locale="ko",
    )
    assert record.published == [] and record.status is AdapterEventStatus.IGNORED


async def test_a_body_that_is_not_the_tools_webhook_is_stored_failed_and_refused():
    source = _source(AdapterType.PROMETHEUS)
    store = FakeIngestStore()
    with pytest.raises(PayloadRejected) as rejected:
        await receive_webhook(
            source,
            ReceivedRequest(AdapterType.PROMETHEUS, b"not json", "text/plain", {}, NOW),
            registry=REGISTRY,
            host_map=HostMap(),
            store=store,
            locale="ko",
        )
    [stored] = store.records
    assert stored.status is AdapterEventStatus.FAILED
    assert stored.adapter_event_id == rejected.value.adapter_event_id
    assert stored.error and stored.request.body == b"not json"


def test_the_registry_knows_each_adapters_capabilities():
    assert Capability.STATUS_QUERY in REGISTRY.get(AdapterType.PROMETHEUS).capabilities
    assert [a.adapter_type for a in REGISTRY.with_capability(Capability.STATUS_QUERY)] == [
        AdapterType.PROMETHEUS
    ]
    with pytest.raises(UnsupportedCapability):
        REGISTRY.get(AdapterType.TERMIX)


async def test_webhook_only_tools_refuse_status_queries_and_actions():
    kuma = REGISTRY.get(AdapterType.UPTIME_KUMA)
    host = _kuma_host(uuid4())
    with pytest.raises(UnsupportedCapability):
        await kuma.host_status(host)
    with pytest.raises(UnsupportedCapability):
        await kuma.execute_action(host, "restart", {})
    assert (await kuma.health()).healthy


async def test_nul_characters_never_reach_the_database():
    source = _source(AdapterType.PROMETHEUS, default_org_id=DEFAULT_ORG)
    body = (FIXTURES / "alertmanager_real_firing.json").read_text()
    body = body.replace('"summary": "', '"summary": "nul \\u0000 ', 1)
    store = FakeIngestStore()
    record = await receive_webhook(
        source,
        ReceivedRequest(AdapterType.PROMETHEUS, body.encode(), "application/json", {}, NOW),
        registry=REGISTRY,
        host_map=HostMap(),
        store=store,
        locale="ko",
    )
    [(_, alert)] = record.published
    assert "\x00" not in alert.title + alert.description
    assert "nul" in alert.description
