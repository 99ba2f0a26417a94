"""Suggested gaps a coordinator dismissed.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 10:00:00

``dismissed_suggestions``: one row per suggested gap (by its key, see
pmg.diagnostics.suggestions) dismissed in a diagnostic, so it is not proposed again for that
submission; who dismissed it and when. Kept apart from the draft, which is what was typed,
so versions, their hashes, PDFs and exports never hold it.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('dismissed_suggestions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('dismissed_by_id', sa.Integer(), nullable=False),
    sa.Column('dismissed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['dismissed_by_id'], ['users.id'], name=op.f('fk_dismissed_suggestions_dismissed_by_id_users')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_dismissed_suggestions_submission_id_submissions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dismissed_suggestions')),
    sa.UniqueConstraint('submission_id', 'key', name=op.f('uq_dismissed_suggestions_submission_id'))
    )


def downgrade():
    op.drop_table('dismissed_suggestions')
