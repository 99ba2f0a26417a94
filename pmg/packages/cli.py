"""``flask pmg export-package``: an evidence package written to a file, with a progress bar;
``flask pmg purge-packages``: the expired packages of the application removed, and the
stored workbooks the data has left behind."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from pmg.audit.actions import AuditAction
from pmg.audit.operations import record
from pmg.core.errors import DomainError
from pmg.core.models import utcnow
from pmg.core.spreadsheets import comparable
from pmg.core.transactions import transaction
from pmg.cycles.queries import get_cycle
from pmg.evidence.checks import format_size
from pmg.exports.workbook.stored import purge_workbooks
from pmg.extensions import db
from pmg.institutions.models import Stage
from pmg.institutions.queries import ministries
from pmg.packages.builder import build_package
from pmg.packages.operations import purge_expired
from pmg.packages.queries import Selection
from pmg.submissions.kinds import slugs
from pmg.submissions.models import SubmissionState


def choice_slug(label: str) -> str:
    """How the command line names a choice: ``Con observaciones`` → ``con_observaciones``."""
    return "_".join(comparable(label).split())


STAGES = {choice_slug(stage.label): stage for stage in Stage}
SENT = [state for state in SubmissionState if state is not SubmissionState.DRAFT]
STATES = {choice_slug(state.label): state for state in SENT}


@click.command("export-package")
@click.argument("path", metavar="ARCHIVO.zip", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--cycle", "cycle_year", type=int, required=True, metavar="AÑO", help="Ciclo.")
@click.option(
    "--ministry", metavar="MINISTERIO", help="Nombre del ministerio, como en el catálogo."
)
@click.option("--stage", type=click.Choice(list(STAGES)), help="Etapa de las instituciones.")
@click.option("--kind", metavar="TIPO", help="Tipo de envío: diagnostico o plan.")
@click.option("--state", type=click.Choice(list(STATES)), help="Estado del envío.")
@click.option(
    "--all-versions",
    is_flag=True,
    help="Todas las versiones; por omisión, la última de cada envío.",
)
@with_appcontext
def export_package_command(
    path: Path,
    cycle_year: int,
    ministry: str | None,
    stage: str | None,
    kind: str | None,
    state: str | None,
    all_versions: bool,
) -> None:
    """Escribe un paquete de evidencia (ZIP): por institución, el PDF y los archivos de
    evidencia de cada versión elegida; manifest.csv y manifest.json con el tamaño y la huella
    SHA-256 de cada archivo; y el consolidado Excel del ciclo."""
    cycle = get_cycle(cycle_year)
    if cycle is None:
        raise click.ClickException(f"No existe el ciclo {cycle_year}.")
    if not path.resolve().parent.is_dir():
        raise click.ClickException(f"No existe la carpeta {path.resolve().parent}.")
    if ministry is not None:
        ministry = _ministry_named(ministry)
    kinds = {slug: kind for kind, slug in slugs().items()}
    if kind is not None and kind not in kinds:
        raise click.BadParameter(f"use {' o '.join(kinds)}.", param_hint="--kind")
    selection = Selection(
        cycle_year=cycle.year,
        ministry=ministry,
        stage=STAGES[stage] if stage else None,
        kind=kinds[kind] if kind else None,
        state=STATES[state] if state else None,
        all_versions=all_versions,
    )
    with click.progressbar(length=1, label="Armando el paquete") as bar:

        def advance(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        try:
            summary = build_package(cycle, selection, path, advance)
        except DomainError as refused:
            db.session.rollback()
            raise click.ClickException(refused.message) from refused
        except OSError as problem:
            db.session.rollback()
            raise click.ClickException(f"No se pudo escribir el archivo {path}.") from problem
    record(
        AuditAction.EXPORT_PACKAGE,
        cycle,
        after={
            "selection": selection.described(),
            "versions": summary.versions,
            "files": summary.files,
            "size": summary.size,
            "sha256": summary.sha256,
        },
    )
    db.session.commit()
    click.echo(
        f"Se escribió {path}: {_count(summary.versions, 'versión', 'versiones')}, "
        f"{_count(summary.files, 'archivo', 'archivos')}, "
        f"{format_size(summary.size)}. SHA-256 del paquete: {summary.sha256}."
    )


def _ministry_named(typed: str) -> str:
    """The catalog's name of the ministry ``typed`` names, without regard to case, accents or
    spaces; refused, saying how to name one, if none."""
    found = {comparable(ministry.name): ministry.name for ministry in ministries()}
    name = found.get(comparable(typed))
    if name is None:
        raise click.BadParameter(
            f"no hay un ministerio «{typed}» en el catálogo; escriba su nombre, por ejemplo "
            "«MINISTERIO DE SALUD».",
            param_hint="--ministry",
        )
    return name


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


@click.command("purge-packages")
@with_appcontext
def purge_packages_command() -> None:
    """Elimina los paquetes de evidencia vencidos y los consolidados guardados que ya no
    coinciden con los datos, con sus archivos (cron, una vez al día)."""
    now = utcnow()
    with transaction():
        packages = purge_expired(now)
        workbooks = purge_workbooks(now)
    click.echo(
        f"Paquetes vencidos eliminados: {packages}. "
        f"Consolidados guardados que ya no coinciden con los datos, eliminados: {workbooks}."
    )
