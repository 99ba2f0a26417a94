"""Personal API tokens, and the requests refused for their token.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 10:57:14

``api_tokens``: one row per token of an account, keeping the SHA-256 of the token and its
non-secret prefix (unique, to find it), never the token; its expiry, last use and
revocation. ``api_token_failures``: each API request refused for its token, to throttle
them per token prefix and per address, as logins are.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_token_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token_failures'))
    )
    with op.batch_alter_table('api_token_failures', schema=None) as batch_op:
        batch_op.create_index('ix_api_token_failures_address_at', ['address', 'at'], unique=False)
        batch_op.create_index('ix_api_token_failures_email_at', ['email', 'at'], unique=False)

    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('prefix', name=op.f('uq_api_tokens_prefix'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    with op.batch_alter_table('api_token_failures', schema=None) as batch_op:
        batch_op.drop_index('ix_api_token_failures_email_at')
        batch_op.drop_index('ix_api_token_failures_address_at')

    op.drop_table('api_token_failures')
