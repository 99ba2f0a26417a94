"""Search text of institutions and users: their searched fields without case or accents.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 10:00:00

Existing rows are filled in Python, folded as pmg.core.search.search_text folds them
(that function as it stood when this revision was written). No index: a search looks
for a substring anywhere in the text, which a B-tree index cannot serve, and a scan of
a few thousand short rows is quick.
"""
import re
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

SEARCHED = {'institutions': ('code', 'name'), 'users': ('name', 'email')}


def _folded(text):
    decomposed = unicodedata.normalize('NFKD', text or '')
    bare = ''.join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r'\s+', ' ', bare).strip().casefold()


def upgrade():
    bind = op.get_bind()
    for table_name, fields in SEARCHED.items():
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.add_column(sa.Column('search_text', sa.Text(), nullable=True))
        table = sa.table(
            table_name,
            sa.column('id', sa.Integer()),
            sa.column('search_text', sa.Text()),
            *(sa.column(field, sa.String()) for field in fields),
        )
        rows = bind.execute(sa.select(table.c.id, *(table.c[field] for field in fields))).all()
        if rows:
            bind.execute(
                table.update()
                .where(table.c.id == sa.bindparam('row_id'))
                .values(search_text=sa.bindparam('folded')),
                [
                    {'row_id': row_id, 'folded': '\n'.join(_folded(value) for value in values)}
                    for row_id, *values in rows
                ],
            )
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.alter_column('search_text', existing_type=sa.Text(), nullable=False)


def downgrade():
    for table_name in SEARCHED:
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.drop_column('search_text')
