"""The official files come back exactly: report codes, choices as written, blank versus ``-``.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 11:00:00

- ``institutions.report_code``: the institution's ``codigo_reporte`` in the official
  consolidated files ('' for one without a code).
- ``procedures.justification_text`` / ``time_unit_text``: the justification and the time
  unit exactly as the file wrote them; the enum columns stay, derived from these. Rows
  imported before this revision get their choice's label (what the export wrote then).
- ``unreported_as`` on every imported history row: for each figure that was not reported,
  how the file wrote it when it was not ``-`` (``''`` for an empty cell). NULL: all ``-``.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

HISTORY_TABLES = (
    'complaint_figures',
    'saip_figures',
    'procedures',
    'procedure_figures',
    'cycle_targets',
)
# The labels of the choices as pmg.indicators.models defined them when this was written.
JUSTIFICATION_LABELS = {
    'masividad': 'Masividad (volumen de transacciones)',
    'objetivos_estrategicos': (
        'Asociado a objetivos estratégicos de la institución (formulario A1)'
    ),
    'otra': 'Otra razón',
}
TIME_UNIT_LABELS = {
    'dias_habiles': 'días hábiles',
    'dias_corridos': 'días corridos',
    'horas': 'horas',
    'minutos': 'minutos',
}


def upgrade():
    with op.batch_alter_table('institutions', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('report_code', sa.String(length=64), nullable=False, server_default='')
        )
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('justification_text', sa.Text(), nullable=False, server_default='')
        )
        batch_op.add_column(
            sa.Column('time_unit_text', sa.Text(), nullable=False, server_default='')
        )
    for table_name in HISTORY_TABLES:
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.add_column(sa.Column('unreported_as', sa.JSON(), nullable=True))
    _fill_choice_texts()


def _fill_choice_texts():
    procedures = sa.table(
        'procedures',
        sa.column('id', sa.Integer()),
        sa.column('justification', sa.String()),
        sa.column('time_unit', sa.String()),
        sa.column('justification_text', sa.Text()),
        sa.column('time_unit_text', sa.Text()),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            procedures.c.id,
            sa.cast(procedures.c.justification, sa.String()),
            sa.cast(procedures.c.time_unit, sa.String()),
        )
    ).all()
    values = [
        {
            'row_id': row_id,
            'justification': JUSTIFICATION_LABELS.get(justification or '', ''),
            'unit': TIME_UNIT_LABELS.get(unit or '', ''),
        }
        for row_id, justification, unit in rows
    ]
    if values:
        bind.execute(
            procedures.update()
            .where(procedures.c.id == sa.bindparam('row_id'))
            .values(
                justification_text=sa.bindparam('justification'),
                time_unit_text=sa.bindparam('unit'),
            ),
            values,
        )


def downgrade():
    for table_name in HISTORY_TABLES:
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.drop_column('unreported_as')
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.drop_column('time_unit_text')
        batch_op.drop_column('justification_text')
    with op.batch_alter_table('institutions', schema=None) as batch_op:
        batch_op.drop_column('report_code')
