"""When each submission was last sent, and the indexes the reviewers' queue reads by.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 12:30:00

``submissions.last_sent_at``: the ``submitted_at`` of the submission's latest version
(none while it was never sent), kept by ``submit``. The queue sorts by it, by default,
through ``ix_submissions_cycle_sent`` and reads only the page it shows, where computing it
per row from the versions meant every row of the cycle on every page. Existing rows get it
from their versions. ``ix_submissions_cycle_state`` counts the queue's rows per state
from the index alone.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_sent_at', sa.DateTime(), nullable=True))
        batch_op.create_index(
            'ix_submissions_cycle_sent', ['cycle_id', 'last_sent_at', 'id'], unique=False
        )
        batch_op.create_index('ix_submissions_cycle_state', ['cycle_id', 'state'], unique=False)
    op.execute(
        "UPDATE submissions SET last_sent_at = (SELECT max(submission_versions.submitted_at) "
        "FROM submission_versions WHERE submission_versions.submission_id = submissions.id)"
    )


def downgrade():
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index('ix_submissions_cycle_state')
        batch_op.drop_index('ix_submissions_cycle_sent')
        batch_op.drop_column('last_sent_at')
