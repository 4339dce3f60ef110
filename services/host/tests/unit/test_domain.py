"""The inventory rules: tags, SSH targets without secrets, adapter configs, maintenance."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from kohub_contracts.enums import (
    AdapterType,
    ConnectionType,
    HostAdapterStatus,
    HostStatus,
    ObservedHostStatus,
)
from kohub_host.domain.errors import InvalidHost
from kohub_host.domain.events import HostEdited, HostStatusChanged
from kohub_host.domain.model import Host, ObservedStatus
from kohub_host.domain.rules import (
    mapping_key,
    normalize_tags,
    validate_adapter_config,
    validate_ssh_config,
)

AT = datetime(2026, 1, 30, 10, 0, tzinfo=UTC)
SSH = {"host": "10.0.0.1", "port": 22, "username": "admin"}


def host(**kw) -> Host:
    args = {
        "org_id": uuid4(),
        "name": "web-prod-01",
        "description": "메인 웹 서버",
        "connection_type": ConnectionType.SSH,
        "ssh_config": SSH,
        "tags": ["production", "web"],
        "at": AT,
    } | kw
    return Host.register(**args)


def test_tags_are_trimmed_lowercased_and_unique() -> None:
    assert normalize_tags([" Production", "WEB", "web ", "frontend"]) == [
        "production",
        "web",
        "frontend",
    ]
    with pytest.raises(InvalidHost):
        normalize_tags(["ok", "  "])


@pytest.mark.parametrize(
    ("config", "field"),
    [
        (None, "sshConfig"),
        ({}, "sshConfig"),
        ({"host": "", "username": "admin"}, "sshConfig.host"),
        ({"host": "h", "port": 0, "username": "admin"}, "sshConfig.port"),
        ({"host": "h", "port": 65536, "username": "admin"}, "sshConfig.port"),
        ({"host": "h", "port": "22", "username": "admin"}, "sshConfig.port"),
        ({"host": "h", "port": 22}, "sshConfig.username"),
        ({**SSH, "password": "hunter2"}, "sshConfig"),
        ({**SSH, "privateKey": "-----BEGIN"}, "sshConfig"),
        ({**SSH, "private_key": "x"}, "sshConfig"),
        ({**SSH, "proxy": "x"}, "sshConfig"),
    ],
)
def test_bad_ssh_configs_are_refused(config, field) -> None:
    with pytest.raises(InvalidHost) as refused:
        validate_ssh_config(ConnectionType.SSH, config)
    assert refused.value.field == field


def test_secrets_are_refused_for_any_connection_type() -> None:
    with pytest.raises(InvalidHost):
        validate_ssh_config(ConnectionType.HTTPS, {"password": "x"})
    assert validate_ssh_config(ConnectionType.AGENT, None) is None


@pytest.mark.parametrize(
    ("adapter_type", "config"),
    [
        (AdapterType.UPTIME_KUMA, {"sourceId": "kuma-1"}),
        (AdapterType.UPTIME_KUMA, {"sourceId": "kuma-1", "monitorId": ""}),
        (AdapterType.UPTIME_KUMA, {"sourceId": "k", "monitorId": 1, "extra": True}),
        (AdapterType.PROMETHEUS, {"matchers": {}}),
        (AdapterType.PROMETHEUS, {"matchers": {"instance": 5}}),
        (AdapterType.PROMETHEUS, {"matchers": ["instance"]}),
        (AdapterType.TERMIX, {"baseUrl": "ftp://termix", "hostId": "3"}),
        (AdapterType.TERMIX, {"baseUrl": "https://termix.example"}),
        (AdapterType.TERMIX, {"baseUrl": "https://t.example", "hostId": "3", "apiUrl": "t:1"}),
    ],
)
def test_bad_adapter_configs_are_refused(adapter_type, config) -> None:
    with pytest.raises(InvalidHost):
        validate_adapter_config(adapter_type, config)


def test_adapter_configs_are_normalized_and_keyed() -> None:
    kuma = validate_adapter_config(AdapterType.UPTIME_KUMA, {"sourceId": "kuma", "monitorId": 7})
    assert kuma == {"sourceId": "kuma", "monitorId": "7"}
    assert mapping_key(AdapterType.UPTIME_KUMA, kuma) == "uptime-kuma:kuma:7"
    prom = validate_adapter_config(
        AdapterType.PROMETHEUS, {"matchers": {"job": "node", "host": "web-prod-01"}}
    )
    assert mapping_key(AdapterType.PROMETHEUS, prom) == "prometheus:*:host=web-prod-01,job=node"
    termix = validate_adapter_config(
        AdapterType.TERMIX, {"baseUrl": "https://termix.example/", "hostId": "12"}
    )
    assert termix == {"baseUrl": "https://termix.example", "hostId": "12"}
    termix = validate_adapter_config(
        AdapterType.TERMIX,
        {"baseUrl": "https://t.example", "hostId": "12", "apiUrl": "http://termix:30001/"},
    )
    assert termix["apiUrl"] == "http://termix:30001"


def test_the_same_adapter_twice_on_one_host_is_refused() -> None:
    h = host()
    h.add_adapter(
        AdapterType.UPTIME_KUMA, {"sourceId": "k", "monitorId": "1"}, HostAdapterStatus.ACTIVE, AT
    )
    with pytest.raises(InvalidHost):
        h.add_adapter(
            AdapterType.UPTIME_KUMA,
            {"sourceId": "k", "monitorId": "1"},
            HostAdapterStatus.ACTIVE,
            AT,
        )


def test_maintenance_ends_by_itself_when_due() -> None:
    h = host()
    h.set_status(HostStatus.MAINTENANCE, at=AT, maintenance_until=AT + timedelta(hours=1))
    assert not h.end_maintenance_if_due(AT + timedelta(minutes=59))
    assert h.end_maintenance_if_due(AT + timedelta(hours=1))
    assert h.status is HostStatus.ACTIVE and h.maintenance_until is None
    changes = [e for e in h.events if isinstance(e, HostStatusChanged)]
    assert [c.previous for c in changes] == [HostStatus.ACTIVE, HostStatus.MAINTENANCE]


def test_maintenance_until_must_be_future_and_only_with_maintenance() -> None:
    with pytest.raises(InvalidHost):
        host().set_status(HostStatus.MAINTENANCE, at=AT, maintenance_until=AT)
    with pytest.raises(InvalidHost):
        host().set_status(HostStatus.INACTIVE, at=AT, maintenance_until=AT + timedelta(1))


def test_switching_to_https_drops_the_need_for_ssh_and_edits_are_recorded() -> None:
    h = host()
    changed = h.edit(
        at=AT, connection_type=ConnectionType.HTTPS, ssh_config=None, tags=["Web", "web"]
    )
    assert set(changed) == {"connection_type", "ssh_config", "tags"}
    assert h.tags == ["web"]
    assert isinstance(h.events[-1], HostEdited)
    assert h.events[-1].changed_fields == ("connectionType", "sshConfig", "tags")
    with pytest.raises(InvalidHost):
        h.edit(at=AT, connection_type=ConnectionType.SSH)  # SSH needs a target again


def test_only_newer_observations_are_kept() -> None:
    h = host()
    up = ObservedStatus(ObservedHostStatus.UP, AT, AdapterType.UPTIME_KUMA)
    down_earlier = ObservedStatus(ObservedHostStatus.DOWN, AT - timedelta(seconds=5))
    assert h.observe(up)
    assert not h.observe(down_earlier)
    assert not h.observe(up)
    assert h.observed.status is ObservedHostStatus.UP
