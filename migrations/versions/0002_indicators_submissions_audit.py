"""Indicator history, submissions with immutable versions, and the audit trail.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 13:43:54.672415

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_email', sa.String(length=254), nullable=False),
    sa.Column('actor_role', sa.String(length=20), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.String(length=64), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('previous_hash', sa.String(length=64), nullable=False),
    sa.Column('entry_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_entries_actor_id_users')),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_audit_entries_institution_id_institutions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries')),
    sa.UniqueConstraint('entry_hash', name=op.f('uq_audit_entries_entry_hash')),
    sa.UniqueConstraint('previous_hash', name=op.f('uq_audit_entries_previous_hash'))
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entries_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_institution_id'), ['institution_id'], unique=False)

    op.create_table('complaint_figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('received', sa.Integer(), nullable=True),
    sa.Column('answered', sa.Integer(), nullable=True),
    sa.Column('mean_days', sa.Float(), nullable=True),
    sa.Column('median_days', sa.Float(), nullable=True),
    sa.Column('min_days', sa.Float(), nullable=True),
    sa.Column('max_days', sa.Float(), nullable=True),
    sa.Column('answered_over_20', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_complaint_figures_institution_id_institutions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_figures')),
    sa.UniqueConstraint('institution_id', 'year', name=op.f('uq_complaint_figures_institution_id'))
    )
    with op.batch_alter_table('complaint_figures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_figures_institution_id'), ['institution_id'], unique=False)

    op.create_table('cycle_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('complaints_answered_pct', sa.Float(), nullable=True),
    sa.Column('complaints_late_pct', sa.Float(), nullable=True),
    sa.Column('complaints_mean_days', sa.Float(), nullable=True),
    sa.Column('saip_answered_pct', sa.Float(), nullable=True),
    sa.Column('saip_late_pct', sa.Float(), nullable=True),
    sa.Column('saip_mean_days', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_cycle_targets_cycle_id_cycles')),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_cycle_targets_institution_id_institutions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cycle_targets')),
    sa.UniqueConstraint('institution_id', 'cycle_id', name=op.f('uq_cycle_targets_institution_id'))
    )
    with op.batch_alter_table('cycle_targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cycle_targets_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cycle_targets_institution_id'), ['institution_id'], unique=False)

    op.create_table('procedures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('justification', sa.Enum('masividad', 'objetivos_estrategicos', 'otra', name='procedure_justification', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('other_reason', sa.Text(), nullable=False),
    sa.Column('start_milestone', sa.Text(), nullable=False),
    sa.Column('end_milestone', sa.Text(), nullable=False),
    sa.Column('expected_time', sa.Float(), nullable=True),
    sa.Column('time_unit', sa.Enum('dias_habiles', 'dias_corridos', 'horas', 'minutos', name='procedure_time_unit', native_enum=False, create_constraint=True), nullable=True),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_procedures_institution_id_institutions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_procedures')),
    sa.UniqueConstraint('institution_id', 'name', name=op.f('uq_procedures_institution_id'))
    )
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_procedures_institution_id'), ['institution_id'], unique=False)

    op.create_table('saip_figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('received', sa.Integer(), nullable=True),
    sa.Column('answered', sa.Integer(), nullable=True),
    sa.Column('mean_days', sa.Float(), nullable=True),
    sa.Column('median_days', sa.Float(), nullable=True),
    sa.Column('min_days', sa.Float(), nullable=True),
    sa.Column('max_days', sa.Float(), nullable=True),
    sa.Column('answered_within_10', sa.Integer(), nullable=True),
    sa.Column('answered_within_15', sa.Integer(), nullable=True),
    sa.Column('answered_within_20', sa.Integer(), nullable=True),
    sa.Column('answered_over_20', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_saip_figures_institution_id_institutions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saip_figures')),
    sa.UniqueConstraint('institution_id', 'year', name=op.f('uq_saip_figures_institution_id'))
    )
    with op.batch_alter_table('saip_figures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saip_figures_institution_id'), ['institution_id'], unique=False)

    op.create_table('submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('diagnostic', 'plan', name='submission_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('state', sa.Enum('draft', 'submitted', 'in_review', 'observed', 'resubmitted', 'approved', 'rejected', name='submission_state', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('draft', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('draft_saved_at', sa.DateTime(), nullable=True),
    sa.Column('draft_saved_by_id', sa.Integer(), nullable=True),
    sa.Column('lock_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_submissions_cycle_id_cycles')),
    sa.ForeignKeyConstraint(['draft_saved_by_id'], ['users.id'], name=op.f('fk_submissions_draft_saved_by_id_users')),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_submissions_institution_id_institutions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submissions')),
    sa.UniqueConstraint('institution_id', 'cycle_id', 'kind', name=op.f('uq_submissions_institution_id'))
    )
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submissions_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submissions_institution_id'), ['institution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submissions_state'), ['state'], unique=False)

    op.create_table('procedure_figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('mean', sa.Float(), nullable=True),
    sa.Column('median', sa.Float(), nullable=True),
    sa.Column('minimum', sa.Float(), nullable=True),
    sa.Column('maximum', sa.Float(), nullable=True),
    sa.Column('handled_late', sa.Integer(), nullable=True),
    sa.Column('handled', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['procedure_id'], ['procedures.id'], name=op.f('fk_procedure_figures_procedure_id_procedures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_procedure_figures')),
    sa.UniqueConstraint('procedure_id', 'year', name=op.f('uq_procedure_figures_procedure_id'))
    )
    op.create_table('submission_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('content_json', sa.Text(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('warnings', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('requirements_version', sa.String(length=40), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_submission_versions_submission_id_submissions')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_submission_versions_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_versions')),
    sa.UniqueConstraint('submission_id', 'number', name=op.f('uq_submission_versions_submission_id'))
    )
    with op.batch_alter_table('submission_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_versions_submission_id'), ['submission_id'], unique=False)

    create_append_only_guards()


# Rows of these tables are facts: the database itself refuses to change or remove them.
APPEND_ONLY_TABLES = ("submission_versions", "audit_entries")


def create_append_only_guards():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            """
            CREATE FUNCTION pmg_refuse_change() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
            END;
            $$ LANGUAGE plpgsql
            """
        )
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
    if dialect == "postgresql":
        op.execute("DROP FUNCTION pmg_refuse_change()")


def downgrade():
    drop_append_only_guards()
    with op.batch_alter_table('submission_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_versions_submission_id'))

    op.drop_table('submission_versions')
    op.drop_table('procedure_figures')
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submissions_state'))
        batch_op.drop_index(batch_op.f('ix_submissions_institution_id'))
        batch_op.drop_index(batch_op.f('ix_submissions_cycle_id'))

    op.drop_table('submissions')
    with op.batch_alter_table('saip_figures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saip_figures_institution_id'))

    op.drop_table('saip_figures')
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_procedures_institution_id'))

    op.drop_table('procedures')
    with op.batch_alter_table('cycle_targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cycle_targets_institution_id'))
        batch_op.drop_index(batch_op.f('ix_cycle_targets_cycle_id'))

    op.drop_table('cycle_targets')
    with op.batch_alter_table('complaint_figures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_figures_institution_id'))

    op.drop_table('complaint_figures')
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entries_institution_id'))
        batch_op.drop_index(batch_op.f('ix_audit_entries_actor_id'))
        batch_op.drop_index(batch_op.f('ix_audit_entries_action'))

    op.drop_table('audit_entries')
