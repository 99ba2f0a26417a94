"""What each submission's draft started with from the official consolidated files.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 12:00:00

``submissions.prefilled``: the texts pre-filled from the imported indicator history when
the submission was created. Existing submissions were created empty: ``{}``.
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade():
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('prefilled', DOCUMENT, nullable=False, server_default=sa.text("'{}'"))
        )
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.alter_column('prefilled', existing_type=DOCUMENT, server_default=None)


def downgrade():
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_column('prefilled')
