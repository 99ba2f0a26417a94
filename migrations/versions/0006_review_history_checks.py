"""Review history states as checked enums; the reviewer's pending resolutions.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 07:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

ACTIONS = ('submit', 'take', 'assign', 'observe', 'resubmit', 'approve', 'reject')
STATES = ('draft', 'submitted', 'in_review', 'observed', 'resubmitted', 'approved', 'rejected')
COLUMNS = (
    ('action', 'state_change_action', ACTIONS),
    ('from_state', 'state_change_from', STATES),
    ('to_state', 'state_change_to', STATES),
)


def _guards(create):
    """The append-only triggers of state_changes (from 0005): SQLite drops them with the
    table its batch mode rebuilds, so they are dropped first and created again."""
    dialect = op.get_bind().dialect.name
    for operation in ("UPDATE", "DELETE"):
        name = f"state_changes_no_{operation.lower()}"
        if not create:
            op.execute(f"DROP TRIGGER {name} ON state_changes" if dialect == "postgresql" else f"DROP TRIGGER {name}")
        elif dialect == "postgresql":
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {operation} ON state_changes "
                "FOR EACH ROW EXECUTE FUNCTION pmg_refuse_change()"
            )
        else:
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {operation} ON state_changes "
                f"BEGIN SELECT RAISE(ABORT, 'state_changes is append-only: {operation} refused'); END"
            )


def upgrade():
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pending_resolutions', sa.JSON(), nullable=True))

    _guards(create=False)
    with op.batch_alter_table('state_changes', schema=None) as batch_op:
        for column, name, values in COLUMNS:
            batch_op.alter_column(
                column,
                existing_type=sa.String(length=20),
                type_=sa.Enum(*values, name=name, native_enum=False, create_constraint=True),
                existing_nullable=False,
            )
    _guards(create=True)


def downgrade():
    _guards(create=False)
    with op.batch_alter_table('state_changes', schema=None) as batch_op:
        for column, name, values in COLUMNS:
            if op.get_bind().dialect.name == "postgresql":
                batch_op.drop_constraint(name, type_="check")
            batch_op.alter_column(
                column,
                existing_type=sa.Enum(*values, name=name, native_enum=False),
                type_=sa.String(length=20),
                existing_nullable=False,
            )
    _guards(create=True)

    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_column('pending_resolutions')
