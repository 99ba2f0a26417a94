"""People, institutions and cycles.

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 13:25:33.293966

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cycles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('reference_year', sa.Integer(), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('diagnostic_start', sa.Date(), nullable=False),
    sa.Column('diagnostic_end', sa.Date(), nullable=False),
    sa.Column('plan_start', sa.Date(), nullable=False),
    sa.Column('plan_end', sa.Date(), nullable=False),
    sa.Column('review_start', sa.Date(), nullable=False),
    sa.Column('review_end', sa.Date(), nullable=False),
    sa.Column('correction_start', sa.Date(), nullable=False),
    sa.Column('correction_end', sa.Date(), nullable=False),
    sa.Column('close_start', sa.Date(), nullable=False),
    sa.Column('close_end', sa.Date(), nullable=False),
    sa.CheckConstraint('reference_year < year', name=op.f('ck_cycles_reference_before_year')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cycles')),
    sa.UniqueConstraint('year', name=op.f('uq_cycles_year'))
    )
    with op.batch_alter_table('cycles', schema=None) as batch_op:
        batch_op.create_index('uq_cycles_current', ['is_current'], unique=True, sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))

    op.create_table('login_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('succeeded', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempts'))
    )
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_login_attempts_address_at', ['address', 'at'], unique=False)
        batch_op.create_index('ix_login_attempts_email_at', ['email', 'at'], unique=False)

    op.create_table('ministries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ministries')),
    sa.UniqueConstraint('name', name=op.f('uq_ministries_name'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.Enum('coordinator', 'reviewer', 'dipres', 'admin', name='user_role', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('session_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('password_changed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_table('institutions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('ministry_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.Enum('etapa_1', 'etapa_2', 'etapa_3', 'saip', name='institution_stage', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('commits_system', sa.Boolean(), nullable=False),
    sa.Column('mesu', sa.Enum('si', 'no', 'voluntaria', name='institution_mesu', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('category', sa.Enum('proteccion_social', 'servicios_generales', 'educacion_salud', 'regulacion', 'fomento_productivo', name='institution_category', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['ministry_id'], ['ministries.id'], name=op.f('fk_institutions_ministry_id_ministries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_institutions')),
    sa.UniqueConstraint('code', name=op.f('uq_institutions_code'))
    )
    with op.batch_alter_table('institutions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_institutions_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_institutions_ministry_id'), ['ministry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_institutions_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_institutions_stage'), ['stage'], unique=False)

    op.create_table('user_institutions',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_user_institutions_institution_id_institutions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_institutions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'institution_id', name=op.f('pk_user_institutions'))
    )
    with op.batch_alter_table('user_institutions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_institutions_institution_id'), ['institution_id'], unique=False)



def downgrade():
    with op.batch_alter_table('user_institutions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_institutions_institution_id'))

    op.drop_table('user_institutions')
    with op.batch_alter_table('institutions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_institutions_stage'))
        batch_op.drop_index(batch_op.f('ix_institutions_name'))
        batch_op.drop_index(batch_op.f('ix_institutions_ministry_id'))
        batch_op.drop_index(batch_op.f('ix_institutions_category'))

    op.drop_table('institutions')
    op.drop_table('users')
    op.drop_table('ministries')
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempts_email_at')
        batch_op.drop_index('ix_login_attempts_address_at')

    op.drop_table('login_attempts')
    with op.batch_alter_table('cycles', schema=None) as batch_op:
        batch_op.drop_index('uq_cycles_current', sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))

    op.drop_table('cycles')
