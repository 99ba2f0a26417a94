"""The plan's execution period of each cycle.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 23:50:00

Existing cycles get the calendar year of the cycle, which is what the plan's date rule
checked until now.
"""
import datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cycles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('execution_start', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('execution_end', sa.Date(), nullable=True))
    cycles = sa.table(
        'cycles',
        sa.column('id', sa.Integer()),
        sa.column('year', sa.Integer()),
        sa.column('execution_start', sa.Date()),
        sa.column('execution_end', sa.Date()),
    )
    bind = op.get_bind()
    for cycle_id, year in bind.execute(sa.select(cycles.c.id, cycles.c.year)).all():
        bind.execute(
            cycles.update()
            .where(cycles.c.id == cycle_id)
            .values(
                execution_start=datetime.date(year, 1, 1),
                execution_end=datetime.date(year, 12, 31),
            )
        )
    with op.batch_alter_table('cycles', schema=None) as batch_op:
        batch_op.alter_column('execution_start', existing_type=sa.Date(), nullable=False)
        batch_op.alter_column('execution_end', existing_type=sa.Date(), nullable=False)
        batch_op.create_check_constraint(
            op.f('ck_cycles_execution_in_order'), 'execution_start <= execution_end'
        )


def downgrade():
    with op.batch_alter_table('cycles', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_cycles_execution_in_order'), type_='check')
        batch_op.drop_column('execution_end')
        batch_op.drop_column('execution_start')
