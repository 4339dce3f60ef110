"""The KustHub bridge's commands on the real database: the linked ticket, its reporter row,
the answer in the outbox of the same transaction, and sync reports in sequence order."""

from datetime import UTC, datetime
from uuid import uuid4

from sqlalchemy import select

from kohub_contracts.commands import CompleteTicketCommand, CreateTicketCommand
from kohub_contracts.common import Ref
from kohub_contracts.enums import SyncStatus, TicketPriority, TicketSource, TicketStatus
from kohub_contracts.events import TicketSyncChanged
from kohub_contracts.kusthub import Person
from kohub_ticket.adapters.postgres.tables import organizations, outbox, tickets, users
from kohub_ticket.application import bridge
from kohub_ticket.bootstrap import bootstrap


async def test_linked_ticket_sync_reports_and_completion(ticket_settings) -> None:
    service = bootstrap(ticket_settings)
    assert service.engine is not None
    org, kusthub_id, subject = uuid4(), f"kh-{uuid4().hex[:8]}", f"kc-{uuid4().hex[:8]}"
    command = CreateTicketCommand(
        title="서버 점검 요청",
        description="디스크 정리",
        priority=TicketPriority.MEDIUM,
        source=TicketSource.CUSTOMER_REQUEST,
        organization=Ref(id=str(org), name="A사"),
        external_system="kusthub",
        external_ticket_id=kusthub_id,
        reporter=Person(id=subject, name="홍길동", email="hong@example.com"),
    )
    try:
        created = await bridge.create_linked_ticket(
            str(uuid4()), command, service.uow(), service.clock
        )
        assert created is not None and created.accepted and created.ticket_id
        again = await bridge.create_linked_ticket(
            str(uuid4()), command, service.uow(), service.clock
        )
        assert again is not None and again.ticket_id == created.ticket_id

        def report(seq: int, status: SyncStatus) -> TicketSyncChanged:
            return TicketSyncChanged(
                ticket_id=created.ticket_id,
                sync_status=status,
                sequence=seq,
                changed_at=datetime.now(UTC),
            )

        assert await bridge.record_sync_state(report(5, SyncStatus.SYNCED), service.uow())
        assert not await bridge.record_sync_state(report(4, SyncStatus.FAILED), service.uow())

        refused = await bridge.complete_ticket(
            str(uuid4()),
            CompleteTicketCommand(ticket_id=created.ticket_id),
            service.uow(),
            service.clock,
        )
        assert refused is not None and not refused.accepted

        async with service.engine.connect() as conn:
            row = (
                await conn.execute(select(tickets).where(tickets.c.id == created.ticket_id))
            ).one()
            reporter = (
                await conn.execute(select(users).where(users.c.id == row.reporter_id))
            ).one()
            org_name = (
                await conn.execute(select(organizations.c.name).where(organizations.c.id == org))
            ).scalar_one()
            answers = (
                (
                    await conn.execute(
                        select(outbox.c.event_type)
                        .where(outbox.c.aggregate_id == str(created.ticket_id))
                        .order_by(outbox.c.id)
                    )
                )
                .scalars()
                .all()
            )
        assert (row.external_system, row.external_ticket_id) == ("kusthub", kusthub_id)
        assert (row.sync_status, row.sync_seq, row.version) == ("SYNCED", 5, 1)
        assert row.status == TicketStatus.NEW.value
        assert (reporter.keycloak_id, reporter.name, reporter.roles) == (subject, "홍길동", [])
        assert org_name == "A사"
        assert answers == [
            "ticket.created",
            "ticket.command.outcome",
            "ticket.command.outcome",
            "ticket.command.outcome",
        ]
    finally:
        await service.engine.dispose()
