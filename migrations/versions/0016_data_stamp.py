"""The data stamp: one row whose value every committed write replaces.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 15:00:00

``data_stamp`` holds one row (id 1) with a random value; ``pmg.core.caching`` writes a new
one in every transaction that writes, and keeps what pages computed under it, so that a
page asked again with nothing changed reads this row instead of its queries.
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
        'data_stamp',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('stamp', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_stamp')),
    )
    op.bulk_insert(table, [{'id': 1, 'stamp': secrets.token_hex(16)}])


def downgrade():
    op.drop_table('data_stamp')
