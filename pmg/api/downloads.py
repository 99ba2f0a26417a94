"""The lists of ``/api/v1/`` as CSV: every row (no pages), with the same filters and the
same validation as their JSON (an unknown or invalid parameter is 400, an unknown cycle
404), written by the application's one CSV writer (:func:`pmg.core.delimited.write_csv`:
text a spreadsheet could take for a formula never becomes one)."""

from __future__ import annotations

from io import StringIO
from typing import Any

from werkzeug.wrappers import Response

from pmg.api import queries
from pmg.api.access import api_user, read_only
from pmg.api.endpoints import bp, query, route
from pmg.api.schemas import InstitutionArgs, SubmissionArgs
from pmg.api.tables import institutions_table, submissions_table
from pmg.core.delimited import CSV_MIMETYPE, write_csv
from pmg.core.xlsx import Table
from pmg.cycles.queries import chile_today

PAGES = ("page", "per_page")
CSV_FORMAT = (
    "Es un CSV como lo abre Excel en Chile: UTF-8 con marca de orden de bytes, `;` entre "
    "celdas, coma decimal, Sí/No, fechas año-mes-día. Un texto que una planilla podría tomar "
    "por fórmula (empieza con `=`, `+`, `-`, `@`, tabulación o retorno de carro; también el "
    "`-` de una cifra no informada) lleva un apóstrofo delante; todo otro texto está tal cual."
)


def csv_doc(what: str) -> dict[str, Any]:
    """The OpenAPI description of a CSV answer holding ``what``."""
    return {
        "description": f"{what} {CSV_FORMAT}",
        "content": {CSV_MIMETYPE: {"schema": {"type": "string"}}},
        "headers": {
            "ETag": "ETAG",
            "Content-Disposition": {
                "description": "`attachment` y el nombre del archivo.",
                "schema": {"type": "string"},
            },
        },
    }


def csv_download(table: Table, filename: str) -> Response:
    """``table`` as a CSV file to save as ``filename`` (``text/csv; charset=utf-8``)."""
    text = StringIO()
    write_csv(table, text)
    response = Response(text.getvalue().encode("utf-8"), mimetype=CSV_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@route("/institutions.csv", "Instituciones")
@read_only(bp)
@query(InstitutionArgs(exclude=PAGES), location="query", as_kwargs=False)
@bp.doc(responses={200: csv_doc("Todas las instituciones de la lista, sin páginas.")})
def institutions_csv(args: dict[str, Any]) -> Response:
    """Instituciones y su estado en un ciclo, en CSV

    Las mismas filas que `GET /institutions` con los mismos filtros, todas en un archivo:
    los campos de cada institución, y el estado de cada envío (`diagnostic_state`,
    `plan_state`) y si está atrasado (`diagnostic_late`, `plan_late`).
    """
    filters = queries.institution_filters(args)
    year = filters.cycle.year if filters.cycle else None
    rows = queries.all_institutions(api_user(), filters, chile_today())
    name = f"instituciones_{year}.csv" if year else "instituciones.csv"
    return csv_download(institutions_table(rows, year), name)


@route("/submissions.csv", "Envíos")
@read_only(bp)
@query(SubmissionArgs(exclude=PAGES), location="query", as_kwargs=False)
@bp.doc(responses={200: csv_doc("Todos los envíos de la lista, sin páginas.")})
def submissions_csv(args: dict[str, Any]) -> Response:
    """Envíos, en CSV

    Los mismos envíos que `GET /submissions` con los mismos filtros, todos en un archivo,
    cada uno con su última versión (`last_version_*`) y cuántas tiene (`versions`).
    """
    submissions = queries.all_submissions(api_user(), args)
    return csv_download(submissions_table(submissions), "envios.csv")
