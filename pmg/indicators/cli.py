from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from pmg.core.imports import echo_import, import_file
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
    result = import_file(path, lambda data: import_indicators(data, cycle_year=cycle_year))
    click.echo(result.description)
    echo_import(result)
