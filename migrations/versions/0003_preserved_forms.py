"""Input kept across an expired session.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 13:50:31.722871

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('preserved_forms',
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=500), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_preserved_forms_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_preserved_forms'))
    )
    with op.batch_alter_table('preserved_forms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_preserved_forms_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('preserved_forms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_preserved_forms_user_id'))

    op.drop_table('preserved_forms')
