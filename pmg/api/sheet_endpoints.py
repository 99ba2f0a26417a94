"""``/api/v1/cycles/<year>/sheets``: the consolidated workbook's sheets, for those who
download it (:data:`pmg.exports.workbook.READERS`; anyone else is answered 404).

Each answer's ``ETag`` comes from the data stamp and the request (:func:`sheets.etag`), so
a request that names it is answered 304 before the sheets are read or built.
"""

from __future__ import annotations

from typing import Any

from flask import request, url_for
from werkzeug.http import quote_etag
from werkzeug.wrappers import Response

from pmg.api import queries, sheets
from pmg.api.access import read_only
from pmg.api.downloads import csv_doc, csv_download
from pmg.api.endpoints import CACHE_CONTROL, Paged, bp, paged, query, route
from pmg.api.schemas import Args, PageArgs
from pmg.api.sheet_schemas import SheetPageSchema, SheetsSchema
from pmg.cycles.models import Cycle
from pmg.cycles.queries import get_cycle
from pmg.exports.workbook import READERS

TAG = "Consolidado"
YEAR_IN_PATH = {"in": "path", "name": "year", "description": "Año del ciclo."}
SHEET_IN_PATH = {
    "in": "path",
    "name": "name",
    "description": "Nombre de la hoja: "
    + "; ".join(f"`{name}` ({title})" for name, title in sheets.TITLES.items())
    + ".",
    "schema": {"type": "string", "enum": list(sheets.NAMES)},
}
NOT_FOUND = {404: "NOT_FOUND"}


def _asked(year: int, args: dict[str, Any]) -> tuple[Cycle, str, Response | None]:
    """The cycle of ``year`` (404 if there is none), this answer's ETag, and the 304 to give
    when ``If-None-Match`` names it: all known before the sheets are read or built."""
    cycle = get_cycle(year)
    if cycle is None:
        raise queries.UnknownCycle(queries.UNKNOWN_CYCLE)
    tag = sheets.etag(request.path, args)
    if not request.if_none_match.contains(tag):
        return cycle, tag, None
    response = Response(status=304)
    response.set_etag(tag)
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.vary.add("Authorization")
    return cycle, tag, response


@route("/cycles/<int:year>/sheets", TAG, YEAR_IN_PATH)
@read_only(bp, READERS)
@query(Args, location="query", as_kwargs=False)
@bp.response(200, SheetsSchema, description="Correcto")
@bp.doc(responses=NOT_FOUND)
def cycle_sheets(args: dict[str, Any], year: int) -> Any:
    """Hojas del consolidado de un ciclo

    Las hojas del libro consolidado del ciclo (el mismo que se descarga en «Reportes»),
    en su orden: su nombre, qué contiene, sus columnas como en los archivos oficiales
    (las de cada año, del más antiguo al más reciente) y cuántas filas tiene.
    Solo para las cuentas que descargan el consolidado (revisión, DIPRES y administración);
    a otras se responde 404.
    """
    cycle, tag, unchanged = _asked(year, args)
    if unchanged is not None:
        return unchanged
    found = sheets.sheets(cycle)
    items = [
        {
            "name": sheet.name,
            "title": sheet.title,
            "columns": list(sheet.columns),
            "rows": len(sheet.rows),
            "links": {
                "self": url_for("api.sheet", year=year, name=sheet.name),
                "csv": url_for("api.sheet_csv", year=year, name=sheet.name),
            },
        }
        for sheet in found.sheets
    ]
    body = {"cycle": year, "years": list(found.years), "items": items}
    return body, 200, {"ETag": quote_etag(tag)}


@route("/cycles/<int:year>/sheets/<name>", TAG, YEAR_IN_PATH, SHEET_IN_PATH)
@read_only(bp, READERS)
@query(PageArgs, location="query", as_kwargs=False)
@bp.response(200, SheetPageSchema, description="Correcto")
@bp.doc(responses=NOT_FOUND)
def sheet(args: dict[str, Any], year: int, name: str) -> Paged | Response:
    """Filas de una hoja del consolidado

    Las filas de la hoja, en el orden del libro, cada una con las mismas celdas que la
    fila del libro bajo el nombre de su columna: los números como números, las fechas en
    ISO 8601, los textos tal como están (`-` donde la cifra no se informó, null si la celda
    está vacía). Por páginas, enlazadas entre sí.
    Solo para las cuentas que descargan el consolidado (revisión, DIPRES y administración);
    a otras se responde 404.
    """
    cycle, tag, unchanged = _asked(year, args)
    if unchanged is not None:
        return unchanged
    found = sheets.sheets(cycle).sheet(name)
    start = (args["page"] - 1) * args["per_page"]
    shown = found.rows[start : start + args["per_page"]]
    items = [sheets.json_row(found.columns, row) for row in shown]
    body, status, headers = paged(items, args, len(found.rows))
    body.update(cycle=year, name=name, title=found.title, columns=list(found.columns))
    return body, status, {**headers, "ETag": quote_etag(tag)}


@route("/cycles/<int:year>/sheets/<name>.csv", TAG, YEAR_IN_PATH, SHEET_IN_PATH)
@read_only(bp, READERS)
@query(Args, location="query", as_kwargs=False)
@bp.doc(responses={200: csv_doc("Todas las filas de la hoja, como en el libro."), **NOT_FOUND})
def sheet_csv(args: dict[str, Any], year: int, name: str) -> Response:
    """Filas de una hoja del consolidado, en CSV

    Todas las filas de la hoja en un archivo, con los encabezados y las celdas del libro.
    Solo para las cuentas que descargan el consolidado (revisión, DIPRES y administración);
    a otras se responde 404.
    """
    cycle, tag, unchanged = _asked(year, args)
    if unchanged is not None:
        return unchanged
    found = sheets.sheets(cycle).sheet(name)
    response = csv_download(found.table(), f"consolidado_cseu_{year}_{name}.csv")
    response.set_etag(tag)
    return response
