from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from pmg.core.imports import echo_import, import_file
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
    echo_import(import_file(path, import_catalog))
