"""``flask pmg export-consolidated``: the consolidated workbook written to a file."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import click
from flask.cli import with_appcontext

from pmg.core.errors import DomainError
from pmg.cycles.models import Cycle
from pmg.cycles.queries import current_cycle, get_cycle
from pmg.exports.workbook import export_consolidated
from pmg.extensions import db

YEARS = re.compile(r"^\s*(\d{4})\s*(?:-\s*(\d{4})\s*)?$")


def parse_years(text: str | None) -> tuple[int | None, int | None]:
    """``"2022-2025"`` → (2022, 2025); ``"2025"`` → (2025, 2025); nothing → (None, None)."""
    if text is None:
        return None, None
    match = YEARS.match(text)
    if match is None:
        raise click.BadParameter("use DESDE-HASTA, por ejemplo 2022-2025.", param_hint="--years")
    first = int(match.group(1))
    return first, int(match.group(2) or first)


def _cycle(year: int | None) -> Cycle:
    cycle = current_cycle() if year is None else get_cycle(year)
    if cycle is None:
        raise click.ClickException(
            "No hay un ciclo vigente; indique uno con --cycle."
            if year is None
            else f"No existe el ciclo {year}."
        )
    return cycle


@click.command("export-consolidated")
@click.argument("path", metavar="ARCHIVO.xlsx", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--cycle", "cycle_year", type=int, metavar="AÑO", help="Ciclo; por omisión, el vigente."
)
@click.option(
    "--years",
    metavar="DESDE-HASTA",
    help="Años de los indicadores, por ejemplo 2022-2025. Por omisión, todos los años con "
    "datos hasta el año de referencia del ciclo.",
)
@with_appcontext
def export_consolidated_command(path: Path, cycle_year: int | None, years: str | None) -> None:
    """Escribe el consolidado Excel: reclamos, saip, tramites, instituciones, brechas, acciones,
    estado y revision.

    Las cifras del año de referencia vienen del último diagnóstico enviado de cada
    institución; las de los demás años, del historial de indicadores.
    """
    first, last = parse_years(years)
    cycle = _cycle(cycle_year)
    # Written beside the target and renamed at the end: no half-written file is left behind.
    directory = path.resolve().parent
    if not directory.is_dir():
        raise click.ClickException(f"No existe la carpeta {directory}.")
    descriptor, temporary = tempfile.mkstemp(suffix=".xlsx", dir=directory)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            summary = export_consolidated(cycle, stream, first, last)
        db.session.commit()  # the audit entry: no file appears without it
        os.replace(temporary, path)
    except DomainError as refused:
        raise click.ClickException(refused.message) from refused
    except OSError as problem:
        raise click.ClickException(f"No se pudo escribir el archivo {path}.") from problem
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    click.echo(f"Se escribió {path}. {summary.sentence()}")
