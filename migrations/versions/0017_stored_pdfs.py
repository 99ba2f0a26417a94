"""Stored PDFs: each version's PDF, once per moment of what it shows; never changed.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 07:05:00

The database refuses UPDATE and DELETE on ``stored_pdfs`` (as on the review's facts:
the function ``pmg_refuse_change`` comes from revision 0002), so a PDF handed out as
evidence is never replaced.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

TABLE = 'stored_pdfs'
OPERATIONS = ('UPDATE', 'DELETE')


def upgrade():
    op.create_table(TABLE,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('shows_as_of', sa.DateTime(), nullable=False),
    sa.Column('stored_name', sa.String(length=32), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('rendered_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['submission_versions.id'], name=op.f('fk_stored_pdfs_version_id_submission_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_pdfs')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_stored_pdfs_stored_name')),
    sa.UniqueConstraint('version_id', 'shows_as_of', name=op.f('uq_stored_pdfs_version_id'))
    )
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for operation in OPERATIONS:
        name = f"{TABLE}_no_{operation.lower()}"
        if postgresql:
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {operation} ON {TABLE} "
                "FOR EACH ROW EXECUTE FUNCTION pmg_refuse_change()"
            )
        else:
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {operation} ON {TABLE} "
                f"BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only: {operation} refused'); END"
            )


def downgrade():
    op.drop_table(TABLE)  # its triggers go with it
