"""Links to set a password, and the requests for them.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 10:00:00

``password_links``: one row per link mailed to set an account's password (a new
account's, or one asked for with «¿Olvidó su contraseña?» or sent by an admin), keeping
the SHA-256 of its token, never the token. ``password_link_requests``: each request made
from the login page, to throttle them per e-mail and per address. An account created
without a password has an empty ``password_hash`` until its link is used.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('password_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.Enum('invitation', 'reset', name='password_link_purpose', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_password_links_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_password_links_token_hash'))
    )
    with op.batch_alter_table('password_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_links_user_id'), ['user_id'], unique=False)

    op.create_table('password_link_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_link_requests'))
    )
    with op.batch_alter_table('password_link_requests', schema=None) as batch_op:
        batch_op.create_index('ix_password_link_requests_address_at', ['address', 'at'], unique=False)
        batch_op.create_index('ix_password_link_requests_email_at', ['email', 'at'], unique=False)


def downgrade():
    with op.batch_alter_table('password_link_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_password_link_requests_email_at')
        batch_op.drop_index('ix_password_link_requests_address_at')

    op.drop_table('password_link_requests')
    with op.batch_alter_table('password_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_links_user_id'))

    op.drop_table('password_links')
