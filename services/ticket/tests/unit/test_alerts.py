"""Monitoring alerts into tickets: the rules of domain/alerts.py, on fakes through the real
bootstrap()."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import msgspec
import pytest

from kohub_contracts.alerts import AlertReceived
from kohub_contracts.common import Ref
from kohub_contracts.durations import iso_duration
from kohub_contracts.enums import (
    ActivityType,
    AdapterType,
    AlertOutcome,
    AlertState,
    TicketPriority,
    TicketSource,
    TicketStatus,
)
from kohub_ticket.application import handlers
from kohub_ticket.application.actors import Actor
from kohub_ticket.application.alerts import ingest_alert
from kohub_ticket.application.commands import AssignTicket, ChangeStatus, ResolveTicket
from kohub_ticket.application.ports import HostRecord, UserClaims
from kohub_ticket.domain.alerts import (
    AlertAction,
    AlertPolicy,
    SeriesTicket,
    decide,
)

ORG = uuid4()
HOST = uuid4()
T0 = datetime(2026, 1, 30, 10, 15, tzinfo=UTC)


def alert(
    state: AlertState = AlertState.FIRING,
    *,
    event: str = "uptime-kuma-1-20260130T101500",
    fingerprint: str = "uptime-kuma:src:1",
    occurred_at: datetime = T0,
    host: bool = True,
) -> AlertReceived:
    return AlertReceived(
        alert_id=uuid4(),
        adapter_event_id=uuid4(),
        source_id=uuid4(),
        adapter=AdapterType.UPTIME_KUMA,
        ticket_source=TicketSource.UPTIME_KUMA,
        fingerprint=fingerprint,
        source_event_id=event,
        state=state,
        priority=TicketPriority.CRITICAL,
        title="[장애] web-prod-01 - Connection refused",
        description="Connection refused",
        occurred_at=occurred_at,
        organization=Ref(str(ORG), "acme"),
        host=Ref(str(HOST), "web-prod-01") if host else None,
        starts_at=occurred_at if state is AlertState.FIRING else None,
        links={"monitor": "https://web-prod-01.example"},
    )


async def ingest(world, received: AlertReceived, message_id: str | None = None):
    return await ingest_alert(
        message_id or str(uuid4()),
        received,
        world.service.uow(),
        world.clock,
        world.service.alert_policy,
        "ko",
    )


def answers(world) -> list[dict]:
    return [
        msgspec.json.decode(m.body)["data"]
        for m in world.published
        if m.event_type == "alert.processed"
    ]


def only_ticket(world):
    assert len(world.tickets.rows) == 1
    return next(iter(world.tickets.rows.values()))


# -- the pure rules ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "ticket", "maintenance", "expected"),
    [
        (AlertState.FIRING, None, False, AlertAction.CREATE),
        (AlertState.FIRING, None, True, AlertAction.SUPPRESS),
        (AlertState.FIRING, SeriesTicket(TicketStatus.IN_PROGRESS, None), True, AlertAction.REPEAT),
        (AlertState.FIRING, SeriesTicket(TicketStatus.NEW, None), False, AlertAction.REPEAT),
        (AlertState.FIRING, SeriesTicket(TicketStatus.REOPENED, None), False, AlertAction.REPEAT),
        (AlertState.FIRING, SeriesTicket(TicketStatus.RESOLVED, T0), False, AlertAction.REOPEN),
        (AlertState.FIRING, SeriesTicket(TicketStatus.COMPLETED, T0), False, AlertAction.REOPEN),
        (
            AlertState.FIRING,
            SeriesTicket(TicketStatus.RESOLVED, T0 - timedelta(hours=1)),
            False,
            AlertAction.CREATE,
        ),
        (AlertState.FIRING, SeriesTicket(TicketStatus.CLOSED, T0), False, AlertAction.CREATE),
        (AlertState.RESOLVED, None, False, AlertAction.IGNORE),
        (AlertState.RESOLVED, SeriesTicket(TicketStatus.NEW, None), False, AlertAction.CLOSE),
        (
            AlertState.RESOLVED,
            SeriesTicket(TicketStatus.ASSIGNED, None),
            False,
            AlertAction.RECOVER,
        ),
        (AlertState.RESOLVED, SeriesTicket(TicketStatus.RESOLVED, T0), False, AlertAction.IGNORE),
    ],
)
def test_decide(state, ticket, maintenance, expected):
    now = T0 + timedelta(minutes=10)
    assert (
        decide(state, ticket, host_in_maintenance=maintenance, now=now, policy=AlertPolicy())
        is expected
    )


def test_a_recovery_keeps_a_new_ticket_open_when_the_policy_says_so():
    policy = AlertPolicy(close_untouched_on_recovery=False)
    ticket = SeriesTicket(TicketStatus.NEW, None)
    action = decide(AlertState.RESOLVED, ticket, host_in_maintenance=False, now=T0, policy=policy)
    assert action is AlertAction.RECOVER


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(hours=1, minutes=15), "PT1H15M"),
        (timedelta(seconds=42), "PT42S"),
        (timedelta(0), "PT0S"),
        (timedelta(days=2, minutes=1, seconds=5), "P2DT1M5S"),
    ],
)
def test_iso_duration(delta, text):
    assert iso_duration(delta) == text


# -- the handler -------------------------------------------------------------------------


async def test_a_firing_alert_opens_one_critical_ticket_on_the_host(world):
    assert await ingest(world, alert()) is AlertOutcome.CREATED
    ticket = only_ticket(world)
    assert ticket.title == "[장애] web-prod-01 - Connection refused"
    assert ticket.priority is TicketPriority.CRITICAL
    assert ticket.source is TicketSource.UPTIME_KUMA
    assert ticket.source_event_id == "uptime-kuma-1-20260130T101500"
    assert (ticket.org_id, ticket.host_id, ticket.status) == (ORG, HOST, TicketStatus.NEW)
    assert "ticket.created" in world.event_types
    [answer] = answers(world)
    assert answer["outcome"] == "CREATED"
    assert answer["ticketId"] == str(ticket.id)
    assert answer["ticketKey"] == ticket.key


async def test_the_same_source_event_twice_changes_nothing(world):
    await ingest(world, alert())
    published = len(world.published)
    assert await ingest(world, alert()) is AlertOutcome.DUPLICATE
    only_ticket(world)
    assert world.published[published:][0].event_type == "alert.processed"
    assert len(world.published) == published + 1


async def test_a_redelivered_message_is_not_answered_twice(world):
    assert await ingest(world, alert(), message_id="m-1") is AlertOutcome.CREATED
    assert await ingest(world, alert(), message_id="m-1") is None
    assert len(answers(world)) == 1


async def test_repeats_of_an_open_ticket_are_counted_on_one_timeline_entry(world):
    await ingest(world, alert())
    for minute in range(1, 4):
        repeat = alert(event=f"uptime-kuma-1-20260130T10{15 + minute}00")
        assert await ingest(world, repeat) is AlertOutcome.DEDUPLICATED
    only_ticket(world)
    [entry] = world.alerts.repeat_entries.values()
    assert entry["count"] == 3
    assert [a["outcome"] for a in answers(world)] == ["CREATED"] + ["DEDUPLICATED"] * 3


async def test_recovery_closes_a_ticket_nobody_touched_with_the_downtime(world):
    await ingest(world, alert())
    recovered_at = T0 + timedelta(hours=1, minutes=15)
    up = alert(AlertState.RESOLVED, event="uptime-kuma-1-20260130T113000", occurred_at=recovered_at)
    assert await ingest(world, up) is AlertOutcome.CLOSED
    ticket = only_ticket(world)
    assert ticket.status is TicketStatus.CLOSED
    recovery = [a for a in world.tickets.activities[ticket.id] if a.type is ActivityType.ALERT][-1]
    assert recovery.metadata["kind"] == "recovered"
    assert recovery.metadata["downtime"] == "PT1H15M"


async def _work_on(world, ticket_id, *, resolve: bool) -> None:
    """Receive, assign, start and (when asked) resolve the ticket, as operators do."""
    admin = await world.users.upsert(
        UserClaims("kc-admin", "admin", None, None, frozenset({"msp-admin"})), T0
    )
    actor = Actor(admin.id, frozenset({"msp-admin"}), None, "admin")
    uow, clock = world.service.uow, world.clock
    await handlers.change_status(
        ChangeStatus(actor, ticket_id, TicketStatus.RECEIVED), uow(), clock
    )
    await handlers.assign_ticket(AssignTicket(actor, ticket_id, admin.id), uow(), clock)
    await handlers.change_status(
        ChangeStatus(actor, ticket_id, TicketStatus.IN_PROGRESS), uow(), clock
    )
    if resolve:
        await handlers.resolve_ticket(
            ResolveTicket(actor, ticket_id, "restarted nginx", None, None), uow(), clock
        )


async def test_recovery_of_a_ticket_in_work_stays_with_the_operator(world):
    await ingest(world, alert())
    ticket = only_ticket(world)
    await _work_on(world, ticket.id, resolve=False)
    up = alert(AlertState.RESOLVED, event="up-1", occurred_at=T0 + timedelta(minutes=5))
    assert await ingest(world, up) is AlertOutcome.RECOVERED
    assert only_ticket(world).status is TicketStatus.IN_PROGRESS


async def test_firing_again_soon_after_resolution_reopens_the_ticket(world):
    await ingest(world, alert())
    await _work_on(world, only_ticket(world).id, resolve=True)
    again = alert(event="uptime-kuma-1-20260130T103000")
    assert await ingest(world, again) is AlertOutcome.REOPENED
    assert only_ticket(world).status is TicketStatus.REOPENED


async def test_firing_long_after_resolution_opens_a_new_ticket(world):
    await ingest(world, alert())
    await _work_on(world, only_ticket(world).id, resolve=True)
    world.clock.now += timedelta(hours=2)
    again = alert(event="uptime-kuma-1-20260130T123000")
    assert await ingest(world, again) is AlertOutcome.CREATED
    assert len(world.tickets.rows) == 2


async def test_no_ticket_while_the_host_is_in_maintenance(world):
    world.hosts.hosts[HOST] = HostRecord(HOST, ORG, "web-prod-01", "MAINTENANCE")
    assert await ingest(world, alert()) is AlertOutcome.SUPPRESSED
    assert world.tickets.rows == {}
    # maintenance over, the alert still firing: the same source event opens the ticket now
    world.hosts.hosts[HOST] = HostRecord(HOST, ORG, "web-prod-01", "ACTIVE")
    assert await ingest(world, alert()) is AlertOutcome.CREATED


async def test_a_recovery_without_a_ticket_is_ignored(world):
    up = alert(AlertState.RESOLVED, event="up-only")
    assert await ingest(world, up) is AlertOutcome.IGNORED
    assert world.tickets.rows == {}


async def test_a_firing_seen_after_its_recovery_is_stale(world):
    # consumers on several replicas may handle a recovery before its firing
    up = alert(AlertState.RESOLVED, event="up-1", occurred_at=T0 + timedelta(minutes=5))
    assert await ingest(world, up) is AlertOutcome.IGNORED
    assert await ingest(world, alert()) is AlertOutcome.IGNORED
    assert world.tickets.rows == {}
    later = alert(event="down-2", occurred_at=T0 + timedelta(minutes=10))
    assert await ingest(world, later) is AlertOutcome.CREATED
