"""Requirement catalogs, reviews, observations, state history and the mail outbox.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 06:19:18.731455

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outgoing_mail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=200), nullable=True),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outgoing_mail')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_outgoing_mail_dedupe_key'))
    )
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outgoing_mail_recipient'), ['recipient'], unique=False)
        batch_op.create_index(batch_op.f('ix_outgoing_mail_sent_at'), ['sent_at'], unique=False)

    op.create_table('requirement_catalogs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=40), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('loaded_at', sa.DateTime(), nullable=False),
    sa.Column('loaded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_requirement_catalogs_cycle_id_cycles')),
    sa.ForeignKeyConstraint(['loaded_by_id'], ['users.id'], name=op.f('fk_requirement_catalogs_loaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_requirement_catalogs')),
    sa.UniqueConstraint('cycle_id', 'version', name=op.f('uq_requirement_catalogs_cycle_id'))
    )
    with op.batch_alter_table('requirement_catalogs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_requirement_catalogs_cycle_id'), ['cycle_id'], unique=False)

    op.create_table('requirements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('catalog_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('kind', sa.Enum('diagnostic', 'plan', name='requirement_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('stages', sa.JSON(), nullable=False),
    sa.Column('mesu_only', sa.Boolean(), nullable=False),
    sa.Column('sections', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['catalog_id'], ['requirement_catalogs.id'], name=op.f('fk_requirements_catalog_id_requirement_catalogs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_requirements')),
    sa.UniqueConstraint('catalog_id', 'code', name=op.f('uq_requirements_catalog_id'))
    )
    with op.batch_alter_table('requirements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_requirements_catalog_id'), ['catalog_id'], unique=False)

    op.create_table('state_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('version_number', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('from_state', sa.String(length=20), nullable=False),
    sa.Column('to_state', sa.String(length=20), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_state_changes_actor_id_users')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_state_changes_submission_id_submissions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_state_changes'))
    )
    with op.batch_alter_table('state_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_state_changes_submission_id'), ['submission_id'], unique=False)

    op.create_table('reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('catalog_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('decision', sa.Enum('observe', 'approve', 'reject', name='review_decision', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('correction_due', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['catalog_id'], ['requirement_catalogs.id'], name=op.f('fk_reviews_catalog_id_requirement_catalogs')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_reviews_decided_by_id_users')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_reviews_reviewer_id_users')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_reviews_submission_id_submissions')),
    sa.ForeignKeyConstraint(['version_id'], ['submission_versions.id'], name=op.f('fk_reviews_version_id_submission_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews')),
    sa.UniqueConstraint('version_id', name=op.f('uq_reviews_version_id'))
    )
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reviews_catalog_id'), ['catalog_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reviews_reviewer_id'), ['reviewer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reviews_submission_id'), ['submission_id'], unique=False)

    op.create_table('observations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('requirement_id', sa.Integer(), nullable=False),
    sa.Column('raised_in_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('state', sa.Enum('open', 'answered', 'resolved', 'reopened', name='observation_state', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['raised_in_id'], ['reviews.id'], name=op.f('fk_observations_raised_in_id_reviews')),
    sa.ForeignKeyConstraint(['requirement_id'], ['requirements.id'], name=op.f('fk_observations_requirement_id_requirements')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_observations_submission_id_submissions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_observations'))
    )
    with op.batch_alter_table('observations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_observations_raised_in_id'), ['raised_in_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_observations_submission_id'), ['submission_id'], unique=False)

    op.create_table('verdicts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('requirement_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.Enum('meets', 'fails', 'not_applicable', name='verdict_outcome', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['requirement_id'], ['requirements.id'], name=op.f('fk_verdicts_requirement_id_requirements')),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_verdicts_review_id_reviews')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verdicts')),
    sa.UniqueConstraint('review_id', 'requirement_id', name=op.f('uq_verdicts_review_id'))
    )
    with op.batch_alter_table('verdicts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verdicts_review_id'), ['review_id'], unique=False)

    op.create_table('observation_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('observation_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.Enum('raise', 'answer', 'resolve', 'reopen', name='observation_action', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('version_number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_observation_entries_actor_id_users')),
    sa.ForeignKeyConstraint(['observation_id'], ['observations.id'], name=op.f('fk_observation_entries_observation_id_observations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_observation_entries'))
    )
    with op.batch_alter_table('observation_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_observation_entries_observation_id'), ['observation_id'], unique=False)

    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state_changed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('state_changed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reviewer_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('correction_due', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_submissions_reviewer_id'), ['reviewer_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_submissions_reviewer_id_users'), 'users', ['reviewer_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_submissions_state_changed_by_id_users'), 'users', ['state_changed_by_id'], ['id'])

    create_append_only_guards()


# Facts of the review: the database refuses to change or remove them (the function
# pmg_refuse_change comes from revision 0002).
APPEND_ONLY_TABLES = ("state_changes", "observation_entries")


def create_append_only_guards():
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY_TABLES:
        for operation in ("UPDATE", "DELETE"):
            name = f"{table}_no_{operation.lower()}"
            if dialect == "postgresql":
                op.execute(
                    f"CREATE TRIGGER {name} BEFORE {operation} ON {table} "
                    "FOR EACH ROW EXECUTE FUNCTION pmg_refuse_change()"
                )
            else:
                op.execute(
                    f"CREATE TRIGGER {name} BEFORE {operation} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {operation} refused'); END"
                )


def drop_append_only_guards():
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY_TABLES:
        for operation in ("UPDATE", "DELETE"):
            name = f"{table}_no_{operation.lower()}"
            op.execute(f"DROP TRIGGER {name} ON {table}" if dialect == "postgresql" else f"DROP TRIGGER {name}")


def downgrade():
    drop_append_only_guards()
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_submissions_state_changed_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_submissions_reviewer_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_submissions_reviewer_id'))
        batch_op.drop_column('correction_due')
        batch_op.drop_column('reviewer_id')
        batch_op.drop_column('state_changed_by_id')
        batch_op.drop_column('state_changed_at')

    with op.batch_alter_table('observation_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_observation_entries_observation_id'))

    op.drop_table('observation_entries')
    with op.batch_alter_table('verdicts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_verdicts_review_id'))

    op.drop_table('verdicts')
    with op.batch_alter_table('observations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_observations_submission_id'))
        batch_op.drop_index(batch_op.f('ix_observations_raised_in_id'))

    op.drop_table('observations')
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reviews_submission_id'))
        batch_op.drop_index(batch_op.f('ix_reviews_reviewer_id'))
        batch_op.drop_index(batch_op.f('ix_reviews_catalog_id'))

    op.drop_table('reviews')
    with op.batch_alter_table('state_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_state_changes_submission_id'))

    op.drop_table('state_changes')
    with op.batch_alter_table('requirements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_requirements_catalog_id'))

    op.drop_table('requirements')
    with op.batch_alter_table('requirement_catalogs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_requirement_catalogs_cycle_id'))

    op.drop_table('requirement_catalogs')
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outgoing_mail_sent_at'))
        batch_op.drop_index(batch_op.f('ix_outgoing_mail_recipient'))

    op.drop_table('outgoing_mail')
