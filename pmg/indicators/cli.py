from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from pmg.core.errors import DomainError
from pmg.extensions import db
from pmg.indicators.importer import import_indicators


@click.command("import-indicators")
@click.argument("path", metavar="ARCHIVO.xlsx", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--cycle",
    "cycle_year",
    type=int,
    metavar="AÑO",
    help="Ciclo al que pertenecen las metas (plan_*_meta). Por omisión, el año siguiente "
    "al último año del archivo; si el ciclo no existe, se crea.",
)
@with_appcontext
def import_indicators_command(path: Path, cycle_year: int | None) -> None:
    """Importa un consolidado oficial de indicadores (reclamos, SAIP o trámites) desde un .xlsx.

    El formato se reconoce por los encabezados. Todo o nada: si el archivo no se puede
    usar, o una fila con código tiene un valor no válido, la base de datos queda sin
    cambios y se listan todos los errores con su fila y columna. Las filas sin nada que
    importar (en blanco, notas, totales, instituciones fuera del catálogo) se omiten y se
    listan antes del resumen, la última línea (created N, updated N, unchanged N, skipped N).
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError as missing:
        raise click.ClickException(f"No existe el archivo {path}.") from missing
    except OSError as problem:
        raise click.ClickException(f"No se pudo leer el archivo {path}.") from problem
    try:
        result = import_indicators(data, cycle_year=cycle_year)
    except DomainError as refused:
        db.session.rollback()
        raise click.ClickException(refused.message) from refused
    db.session.commit()
    click.echo(result.description)
    for row in result.skipped:
        click.echo(f"Fila {row.row_number}: {row.reason}")
    click.echo(result.summary)
