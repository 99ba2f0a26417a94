"""A resubmission's return to its reviewer in the history; where a saved note points.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 10:00:00

``state_changes.action`` may say ``return``: a corrected version going back, by itself,
to whoever reviewed the previous one, caused by the coordinator who resubmitted it. Its
CHECK constraint is rebuilt with the new list (SQLite: the batch mode's copy of the
table, whose append-only triggers are dropped first and created again, as in 0006).
Downgrading refuses while the history holds a return: the older list has no word for it,
and the history is not rewritten.

``verdicts.path``: where the note of a review in progress points, kept by «Guardar
avance» until the decision makes it the observation's ``path``. Existing verdicts point at
no field: ``''``.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

NAME = 'state_change_action'
BEFORE = ('submit', 'take', 'assign', 'observe', 'resubmit', 'approve', 'reject')
AFTER = ('submit', 'take', 'assign', 'observe', 'resubmit', 'return', 'approve', 'reject')


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


def _actions(old, new):
    """The CHECK constraint of state_changes.action: ``old`` values out, ``new`` in."""
    _guards(create=False)
    with op.batch_alter_table('state_changes', schema=None) as batch_op:
        if op.get_bind().dialect.name == "postgresql":
            batch_op.drop_constraint(NAME, type_="check")
        batch_op.alter_column(
            'action',
            existing_type=sa.Enum(*old, name=NAME, native_enum=False),
            type_=sa.Enum(*new, name=NAME, native_enum=False, create_constraint=True),
            existing_nullable=False,
        )
    _guards(create=True)


def upgrade():
    _actions(BEFORE, AFTER)
    with op.batch_alter_table('verdicts', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('path', sa.String(length=200), nullable=False, server_default='')
        )
    with op.batch_alter_table('verdicts', schema=None) as batch_op:
        batch_op.alter_column('path', existing_type=sa.String(length=200), server_default=None)


def downgrade():
    with op.batch_alter_table('verdicts', schema=None) as batch_op:
        batch_op.drop_column('path')
    _actions(AFTER, BEFORE)
