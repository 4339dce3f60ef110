"""terminal credentials (operators' Termix API keys, encrypted)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 00:45:00.000000
"""

from alembic import op
import sqlalchemy as sa

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('terminal_credentials',
    sa.Column('user_id', sa.String(length=255), nullable=False),
    sa.Column('ciphertext', sa.LargeBinary(), nullable=False),
    sa.Column('key_hint', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_terminal_credentials'))
    )


def downgrade() -> None:
    op.drop_table('terminal_credentials')
