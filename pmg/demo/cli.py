from __future__ import annotations

from collections.abc import Sequence

import click
from flask import current_app
from flask.cli import with_appcontext

from pmg.config import PRODUCTION
from pmg.core.errors import DomainError
from pmg.core.filters import format_date
from pmg.core.statistics import refresh_statistics
from pmg.cycles.models import WindowKind
from pmg.cycles.queries import chile_today
from pmg.demo.operations import DemoResult, load_demo
from pmg.extensions import db

APP_URL = "http://127.0.0.1:5000"


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Carga datos de demostración: el catálogo, un ciclo abierto hoy, una cuenta por rol y
    envíos en curso (observados, aprobados, por revisar).

    Se puede ejecutar varias veces; cada vez genera contraseñas nuevas y no toca los envíos
    que ya existen. No se ejecuta en producción.
    """
    if current_app.config["PMG_ENV"] == PRODUCTION:
        raise click.ClickException(
            "Los datos de demostración no se pueden cargar en producción (PMG_ENV=production)."
        )
    try:
        result = load_demo(chile_today())
        refresh_statistics()
    except DomainError as refused:
        db.session.rollback()
        raise click.ClickException(refused.message) from refused
    db.session.commit()
    _print_result(result)


def _table(headers: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]

    def line(cells: tuple[str, ...]) -> str:
        padded = (cell.ljust(width) for cell, width in zip(cells, widths, strict=True))
        return "  ".join(padded).rstrip()

    return [line(headers), line(tuple("-" * width for width in widths)), *map(line, rows)]


def _print_result(result: DemoResult) -> None:
    cycle = result.cycle
    click.echo(f"Catálogo de instituciones: {result.catalog_summary}")
    click.echo("")
    click.echo(f"Ciclo vigente: {cycle.year} (año de referencia {cycle.reference_year})")
    click.echo(f"Catálogo de requisitos técnicos: versión {result.requirements_version}")
    for description in result.history:
        click.echo(f"Historial de indicadores: {description}")
    windows = [
        (kind.label, format_date(cycle.window(kind)[0]), format_date(cycle.window(kind)[1]))
        for kind in WindowKind
    ]
    for text in _table(("Plazo", "Inicio", "Término"), windows):
        click.echo(f"  {text}")
    click.echo("")
    click.echo("Cuentas de demostración (las contraseñas cambian en cada ejecución):")
    accounts = [
        (account.role.label, account.email, account.password) for account in result.accounts
    ]
    for text in _table(("Rol", "Correo", "Contraseña"), accounts):
        click.echo(f"  {text}")
    for account in result.accounts:
        for institution in account.institutions:
            click.echo(f"  {account.email} gestiona {institution.code} {institution.name}")
    click.echo("")
    click.echo("Para probar:")
    for sentence in result.to_try:
        click.echo(f"  {sentence}")
    click.echo("")
    click.echo(f"Abra {APP_URL}")
