"""Evidence packages asked for in the application: what each holds, its progress, its file.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 07:38:17

One package under way (waiting or being built) per person and selection: a second
identical request joins it (a partial unique index, on both databases).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('evidence_packages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('selection', sa.JSON(), nullable=False),
    sa.Column('selection_key', sa.String(length=64), nullable=False),
    sa.Column('state', sa.Enum('waiting', 'building', 'ready', 'failed', 'cancelled', 'removed', name='evidence_package_state', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('heartbeat_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.Column('stored_name', sa.String(length=32), nullable=True),
    sa.Column('size', sa.BigInteger(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('versions', sa.Integer(), nullable=True),
    sa.Column('files', sa.Integer(), nullable=True),
    sa.Column('problem', sa.Text(), nullable=False),
    sa.Column('claim', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_evidence_packages_cycle_id_cycles')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_evidence_packages_requested_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_packages'))
    )
    with op.batch_alter_table('evidence_packages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_packages_requested_by_id'), ['requested_by_id'], unique=False)
        batch_op.create_index('uq_evidence_packages_under_way', ['requested_by_id', 'selection_key'], unique=True, postgresql_where=sa.text("state IN ('waiting', 'building')"), sqlite_where=sa.text("state IN ('waiting', 'building')"))



def downgrade():
    with op.batch_alter_table('evidence_packages', schema=None) as batch_op:
        batch_op.drop_index('uq_evidence_packages_under_way', postgresql_where=sa.text("state IN ('waiting', 'building')"), sqlite_where=sa.text("state IN ('waiting', 'building')"))
        batch_op.drop_index(batch_op.f('ix_evidence_packages_requested_by_id'))

    op.drop_table('evidence_packages')
