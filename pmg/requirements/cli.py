from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click
from flask.cli import with_appcontext

from pmg.core.errors import DomainError
from pmg.cycles.queries import get_cycle
from pmg.extensions import db
from pmg.requirements.catalog import CatalogProblems
from pmg.requirements.operations import load_catalog


def _fail(problems: list[str]) -> NoReturn:
    for problem in problems:
        click.echo(problem, err=True)
    sys.exit(1)


@click.command("load-requirements")
@click.option("--cycle", "year", type=int, required=True, metavar="AÑO", help="Año del ciclo.")
@click.argument("path", metavar="ARCHIVO.yaml", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def load_requirements_command(year: int, path: Path) -> None:
    """Carga el catálogo de requisitos técnicos de un ciclo desde un archivo YAML.

    Una versión nueva queda como catálogo vigente del ciclo. La misma versión con otro
    texto la reemplaza, salvo que ya se haya usado en envíos o revisiones. Si el
    archivo no se puede usar, la base de datos queda sin cambios.
    """
    cycle = get_cycle(year)
    if cycle is None:
        _fail([f"No existe el ciclo {year}."])
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        _fail([f"No existe el archivo {path}."])
    except (OSError, UnicodeDecodeError):
        _fail([f"No se pudo leer el archivo {path} como texto UTF-8."])
    try:
        result = load_catalog(cycle, text, actor=None)
    except CatalogProblems as refused:
        db.session.rollback()
        _fail(refused.problems)
    except DomainError as refused:
        db.session.rollback()
        _fail([refused.message])
    db.session.commit()
    click.echo(result.summary)
