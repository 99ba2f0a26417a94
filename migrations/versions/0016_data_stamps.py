"""The data stamps: one whose value every committed write replaces, one per watched table.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 15:00:00

``data_stamps`` holds a random value per name: ``*`` (made here) gets a new one in every
transaction that writes, and a table ``pmg.core.caching`` watches gets one of its own
(made by its first write) in every transaction that writes to it. What pages computed is
kept under them, so that a page asked again with nothing changed reads these rows instead
of its queries.
"""

import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'data_stamps',
        sa.Column('name', sa.String(length=63), nullable=False),
        sa.Column('stamp', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_data_stamps')),
    )
    op.bulk_insert(table, [{'name': '*', 'stamp': secrets.token_hex(16)}])


def downgrade():
    op.drop_table('data_stamps')
