"""Where in the content an observation points: a section, or one field of it.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 10:00:00

``observations.path``: ``section``, ``section.field`` or ``section.<row key>.field`` (the
paths the content's findings use), chosen by the reviewer among the sections the
observation's requirement concerns; empty when it concerns the requirement as a whole.
Existing observations point at no field: ``''``.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('observations', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('path', sa.String(length=200), nullable=False, server_default='')
        )
    with op.batch_alter_table('observations', schema=None) as batch_op:
        batch_op.alter_column('path', existing_type=sa.String(length=200), server_default=None)


def downgrade():
    with op.batch_alter_table('observations', schema=None) as batch_op:
        batch_op.drop_column('path')
