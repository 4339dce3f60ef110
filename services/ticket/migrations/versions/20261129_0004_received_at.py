"""tickets.received_at (MTTA) and an index on resolution times (MTTR), for the dashboard

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 23:20:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('tickets', sa.Column('received_at', sa.DateTime(timezone=True), nullable=True))
    # tickets received before this column existed: their first move to RECEIVED
    op.execute(
        """
        UPDATE tickets t SET received_at = a.first_received
        FROM (SELECT ticket_id, min(created_at) AS first_received FROM ticket_activities
              WHERE type = 'STATUS_CHANGE' AND metadata->>'to' = 'RECEIVED'
              GROUP BY ticket_id) a
        WHERE a.ticket_id = t.id
        """
    )
    op.create_index('ix_ticket_resolutions_resolved_at', 'ticket_resolutions', ['resolved_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_ticket_resolutions_resolved_at', table_name='ticket_resolutions')
    op.drop_column('tickets', 'received_at')
