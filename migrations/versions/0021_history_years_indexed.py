"""The history's years indexed alone.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 05:08:32

``complaint_figures``, ``saip_figures`` and ``procedure_figures`` get an index on ``year``:
the consolidated export finds the first and last year with history as the smallest and
largest value of each (an index lookup), instead of reading every row for its years.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('complaint_figures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_figures_year'), ['year'], unique=False)

    with op.batch_alter_table('procedure_figures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_procedure_figures_year'), ['year'], unique=False)

    with op.batch_alter_table('saip_figures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saip_figures_year'), ['year'], unique=False)


def downgrade():
    with op.batch_alter_table('saip_figures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saip_figures_year'))

    with op.batch_alter_table('procedure_figures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_procedure_figures_year'))

    with op.batch_alter_table('complaint_figures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_figures_year'))
