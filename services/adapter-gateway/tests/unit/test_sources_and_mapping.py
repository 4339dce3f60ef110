"""Webhook source credentials, the host-mapping index and the per-source rate limit."""

import hashlib
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from kohub_adapter.adapters.http.rate_limit import RateLimiter
from kohub_adapter.domain.alerts import HostHints
from kohub_adapter.domain.mapping import HostAdapterRef, HostMap, MappedHost
from kohub_adapter.domain.sources import WebhookSource, grafana_signature
from kohub_contracts.enums import AdapterType, HostAdapterStatus, HostStatus

NOW = datetime(2026, 1, 30, 10, 15, tzinfo=UTC)


def source(adapter_type=AdapterType.GRAFANA, **kw):
    return WebhookSource.register(
        source_id=uuid4(), adapter_type=adapter_type, name=" alerts ", at=NOW, **kw
    )


def test_the_token_is_stored_only_as_its_hash():
    src, token = source()
    assert token.startswith("khw_") and len(token) > 40
    assert src.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert src.token_hint == token[:10]
    assert src.name == "alerts"
    assert src.accepts_token(token)
    assert not src.accepts_token(token + "x")


def test_a_disabled_source_accepts_nothing():
    src, token = source()
    src.enabled = False
    assert not src.accepts_token(token)


def test_rotation_retires_the_old_token():
    src, old = source()
    new = src.rotate_token(NOW)
    assert new != old
    assert src.accepts_token(new) and not src.accepts_token(old)
    assert src.token_rotated_at == NOW


def test_only_grafana_sources_take_an_hmac_secret_and_only_webhook_tools_are_sources():
    with pytest.raises(ValueError, match="Grafana"):
        source(AdapterType.PROMETHEUS, hmac_secret="s" * 20)
    with pytest.raises(ValueError, match="webhooks"):
        source(AdapterType.TERMIX)


@pytest.mark.parametrize(
    ("skew", "accepted"),
    [(timedelta(0), True), (timedelta(minutes=4), True), (timedelta(minutes=6), False)],
)
def test_grafana_signature_within_five_minutes(skew, accepted):
    src, _ = source(hmac_secret="grafana-shared-secret")
    body = b'{"alerts": []}'
    sent = str(int((NOW - skew).timestamp()))
    signature = grafana_signature("grafana-shared-secret", sent, body)
    assert src.accepts_grafana_signature(signature, sent, body, NOW) is accepted


def test_grafana_signature_over_another_body_or_secret_fails():
    src, _ = source(hmac_secret="grafana-shared-secret")
    sent = str(int(NOW.timestamp()))
    good = grafana_signature("grafana-shared-secret", sent, b"{}")
    assert not src.accepts_grafana_signature(good, sent, b"{ }", NOW)
    assert not src.accepts_grafana_signature(grafana_signature("x", sent, b"{}"), sent, b"{}", NOW)
    assert not src.accepts_grafana_signature(good, "not-a-time", b"{}", NOW)
    assert not source()[0].accepts_grafana_signature(good, sent, b"{}", NOW)  # no secret


def _host(name, org, *adapters, status=HostStatus.ACTIVE):
    return MappedHost(uuid4(), org, name, status, tuple(adapters))


def _adapter(kind, config, status=HostAdapterStatus.ACTIVE):
    return HostAdapterRef(uuid4(), kind, status, config)


def test_uptime_kuma_maps_by_monitor_id_of_the_same_source():
    org, src = uuid4(), uuid4()
    web = _host(
        "web-prod-01",
        org,
        _adapter(AdapterType.UPTIME_KUMA, {"sourceId": str(src), "monitorId": "1"}),
    )
    other = _host(
        "db-01", org, _adapter(AdapterType.UPTIME_KUMA, {"sourceId": "x", "monitorId": "1"})
    )
    index = HostMap.of([web, other])
    assert index.find(AdapterType.UPTIME_KUMA, HostHints(monitor_id="1"), src) is web
    assert index.find(AdapterType.UPTIME_KUMA, HostHints(monitor_id="2"), src) is None


def test_prometheus_maps_by_every_matcher_and_grafana_uses_prometheus_adapters():
    org, src = uuid4(), uuid4()
    node = _host(
        "node-1",
        org,
        _adapter(
            AdapterType.PROMETHEUS, {"matchers": {"instance": "10.0.0.5:9100", "job": "node"}}
        ),
    )
    index = HostMap.of([node])
    labels = {"instance": "10.0.0.5:9100", "job": "node", "alertname": "Down"}
    hints = HostHints(labels=labels)
    assert index.find(AdapterType.PROMETHEUS, hints, src) is node
    assert index.find(AdapterType.GRAFANA, hints, src) is node
    partial = HostHints(labels={"instance": "10.0.0.5:9100"})
    assert index.find(AdapterType.PROMETHEUS, partial, src) is None


def test_inactive_adapters_and_hosts_map_nothing():
    org, src = uuid4(), uuid4()
    config = {"sourceId": str(src), "monitorId": "1"}
    off = _host("a", org, _adapter(AdapterType.UPTIME_KUMA, config, HostAdapterStatus.INACTIVE))
    gone = _host("b", org, _adapter(AdapterType.UPTIME_KUMA, config), status=HostStatus.INACTIVE)
    index = HostMap.of([off, gone])
    assert index.find(AdapterType.UPTIME_KUMA, HostHints(monitor_id="1"), src) is None


def test_name_fallback_prefers_the_sources_default_organization():
    org_a, org_b, src = uuid4(), uuid4(), uuid4()
    a, b = _host("web-01", org_a), _host("WEB-01", org_b)
    index = HostMap.of([a, b])
    hints = HostHints(hostname="web-01")
    assert index.find(AdapterType.PROMETHEUS, hints, src) is None  # ambiguous
    assert index.find(AdapterType.PROMETHEUS, hints, src, default_org_id=org_b) is b
    only = HostMap.of([a])
    assert only.find(AdapterType.UPTIME_KUMA, HostHints(monitor_name="Web-01"), src) is a
    assert only.get(a.host_id) is a


def test_rate_limit_lets_a_minutes_burst_through_then_says_when_to_retry():
    limiter, src = RateLimiter(), uuid4()
    assert limiter.retry_after(src, None) is None  # off
    assert [limiter.retry_after(src, 3) for _ in range(3)] == [None, None, None]
    wait = limiter.retry_after(src, 3)
    assert wait is not None and 1 <= wait <= 20
