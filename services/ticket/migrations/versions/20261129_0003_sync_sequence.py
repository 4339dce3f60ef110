"""sync sequence of the KustHub bridge's reports

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 22:50:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('tickets', sa.Column('sync_seq', sa.BigInteger(), server_default='0', nullable=False))


def downgrade() -> None:
    op.drop_column('tickets', 'sync_seq')
