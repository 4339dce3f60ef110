"""terminal_logs keep recordings: where a log came from, its commands with their times, the
redacted recording (zlib) and how many secrets were redacted

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 01:10:00
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('terminal_logs', sa.Column('source', sa.String(length=20), server_default='MANUAL', nullable=False))
    op.add_column('terminal_logs', sa.Column('commands', postgresql.JSONB(astext_type=sa.Text()), server_default='[]', nullable=False))
    op.add_column('terminal_logs', sa.Column('command_count', sa.Integer(), server_default='0', nullable=False))
    op.add_column('terminal_logs', sa.Column('command_source', sa.String(length=10), nullable=True))
    op.add_column('terminal_logs', sa.Column('redactions', sa.Integer(), server_default='0', nullable=False))
    op.add_column('terminal_logs', sa.Column('cast_zlib', sa.LargeBinary(), nullable=True))
    op.add_column('terminal_logs', sa.Column('cast_bytes', sa.Integer(), nullable=True))
    # logs stored before: one command per line of their command log, without times
    op.execute(
        """
        UPDATE terminal_logs SET
          commands = coalesce((SELECT jsonb_agg(jsonb_build_object('offset', 0, 'text', line))
                               FROM regexp_split_to_table(command_log, E'\\n') AS line
                               WHERE line <> ''), '[]'),
          command_count = (SELECT count(*) FROM regexp_split_to_table(command_log, E'\\n') AS line
                           WHERE line <> '')
        """
    )


def downgrade() -> None:
    for column in ('cast_bytes', 'cast_zlib', 'redactions', 'command_source', 'command_count', 'commands', 'source'):
        op.drop_column('terminal_logs', column)
