"""Evidence files attached to submissions and plan actions.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 14:21:06.271550

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('evidence_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('action_key', sa.String(length=36), nullable=True),
    sa.Column('declared_name', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('file_type', sa.Enum('pdf', 'png', 'jpeg', 'docx', 'xlsx', 'odt', 'ods', 'csv', name='evidence_type', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('first_version_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['first_version_id'], ['submission_versions.id'], name=op.f('fk_evidence_files_first_version_id_submission_versions')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_evidence_files_submission_id_submissions')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_evidence_files_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_files')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_evidence_files_stored_name'))
    )
    with op.batch_alter_table('evidence_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_files_submission_id'), ['submission_id'], unique=False)



def downgrade():
    with op.batch_alter_table('evidence_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_files_submission_id'))

    op.drop_table('evidence_files')
