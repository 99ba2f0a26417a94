"""Stored workbooks: each cycle's consolidated workbook, once per state of the data.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 11:10:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stored_workbooks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('data_stamp', sa.String(length=32), nullable=False),
    sa.Column('stored_name', sa.String(length=32), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('written_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_stored_workbooks_cycle_id_cycles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_workbooks')),
    sa.UniqueConstraint('cycle_id', 'data_stamp', name=op.f('uq_stored_workbooks_cycle_id')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_stored_workbooks_stored_name'))
    )


def downgrade():
    op.drop_table('stored_workbooks')
