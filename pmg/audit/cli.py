"""``flask pmg verify-audit``: check the hash chain of the audit trail."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from pmg.audit.operations import VERIFY_BATCH, verify_chain


@click.command("verify-audit")
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=VERIFY_BATCH,
    show_default=True,
    help="Entradas leídas por consulta.",
)
@with_appcontext
def verify_audit_command(batch_size: int) -> None:
    """Verifica la cadena de hashes del registro de auditoría.

    Imprime «audit chain ok: N entries» y termina con estado 0, o nombra la primera
    entrada rota («audit chain broken at entry N: motivo») y termina con estado 1.
    """
    report = verify_chain(batch_size)
    if not report.ok:
        click.echo(str(report), err=True)
        raise SystemExit(1)
    click.echo(str(report))
