from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from pmg.core.errors import DomainError
from pmg.extensions import db
from pmg.institutions.importer import import_catalog


@click.command("import-institutions")
@click.argument("path", metavar="ARCHIVO.xlsx", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def import_institutions_command(path: Path) -> None:
    """Importa o actualiza el catálogo oficial de instituciones desde un libro .xlsx.

    Todo o nada: si el archivo no se puede usar, o una fila con código tiene un valor no
    válido, la base de datos queda sin cambios y se listan todos los errores con su fila y
    columna. Las filas que no son de una institución (en blanco, notas, totales) se omiten
    y se listan antes del resumen, la última línea (created N, updated N, unchanged N,
    skipped N).
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError as missing:
        raise click.ClickException(f"No existe el archivo {path}.") from missing
    except OSError as problem:
        raise click.ClickException(f"No se pudo leer el archivo {path}.") from problem
    try:
        result = import_catalog(data)
    except DomainError as refused:
        db.session.rollback()
        raise click.ClickException(refused.message) from refused
    db.session.commit()
    for row in result.skipped:
        click.echo(f"Fila {row.row_number}: {row.reason}")
    click.echo(result.summary)
