"""``/api/v1/``: read-only JSON for scripts, with the web pages' authorization.

Each view loads through :mod:`pmg.api.queries` (the visibility queries: what the account
may not see is 404) and answers a schema of :mod:`pmg.api.schemas`; every GET carries an
``ETag`` and answers 304 to ``If-None-Match`` (:func:`conditional`).
"""

from __future__ import annotations

from typing import Any

from flask import request, url_for
from flask_smorest import Blueprint
from marshmallow import RAISE
from webargs.flaskparser import FlaskParser
from werkzeug.wrappers import Response

from pmg.api import queries
from pmg.api.access import api_user, read_only
from pmg.api.indicator_schemas import IndicatorHistorySchema
from pmg.api.review_schemas import ReviewsSchema
from pmg.api.schemas import (
    CODE_LENGTH,
    WITHOUT_NUL,
    CycleArgs,
    CyclesSchema,
    IndicatorArgs,
    InstitutionArgs,
    InstitutionPageSchema,
    InstitutionRowSchema,
    SubmissionArgs,
    SubmissionPageSchema,
    SubmissionSchema,
)
from pmg.cycles.queries import chile_today
from pmg.dashboard.listing import ListingRow


class QueryParser(FlaskParser):
    """Query strings refused with 400 (webargs says 422: a filter is not a document), and
    so is a parameter the endpoint does not know: a misspelt filter must not answer
    everything unfiltered."""

    DEFAULT_VALIDATION_STATUS = 400
    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": RAISE,
        "querystring": RAISE,
    }


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = QueryParser()


bp = ApiBlueprint(
    "api",
    __name__,
    url_prefix="/api/v1",
    description="Consultas de solo lectura.",
)
query = bp.arguments  # each view's query string, validated by its schema


def route(rule: str, tag: str, *path: dict[str, Any]) -> Any:
    """A GET of the API under ``tag``, documented with the ``If-None-Match`` it honours and
    the ``path`` parameters described beyond their type."""
    return bp.route(rule, tags=[tag], parameters=["IF_NONE_MATCH", *path])


CODE_IN_PATH = {
    "in": "path",
    "name": "code",
    "description": "Código de la institución.",
    "schema": {"type": "string", "minLength": 1, "maxLength": CODE_LENGTH, "pattern": WITHOUT_NUL},
}


CACHE_CONTROL = "private, no-cache"


def conditional(response: Response) -> Response:
    """An ``ETag`` on every answer of a GET (the SHA-1 of its body, unless the view set
    one), and 304 to a request whose ``If-None-Match`` names it."""
    if request.method in {"GET", "HEAD"} and response.status_code == 200:
        response.add_etag()
        response.headers["Cache-Control"] = CACHE_CONTROL
        response.vary.add("Authorization")
        response.make_conditional(request)
    return response


bp.after_request(conditional)


def _page_links(page: int, per_page: int, total: int) -> dict[str, str]:
    """The links of a page of this request's list (its path's parameters kept): this one,
    the first, the last, and the previous and next when there are."""
    last = max(1, -(-total // per_page))
    args: dict[str, Any] = {**(request.view_args or {}), **request.args.to_dict()}

    def to(number: int) -> str:
        return url_for(str(request.endpoint), **{**args, "page": number, "per_page": per_page})

    links = {"self": to(page), "first": to(1), "last": to(last)}
    if 1 < page <= last + 1:
        links["prev"] = to(page - 1)
    if page < last:
        links["next"] = to(page + 1)
    return links


Paged = tuple[dict[str, Any], int, dict[str, str]]


def paged(items: list[Any], args: dict[str, Any], total: int) -> Paged:
    """A page's body, with its links also in a ``Link`` header."""
    links = _page_links(args["page"], args["per_page"], total)
    header = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items() if rel != "self")
    body = {
        "items": items,
        "page": args["page"],
        "per_page": args["per_page"],
        "total": total,
        "links": links,
    }
    return body, 200, {"Link": header}


def _row(row: ListingRow, cycle: int | None) -> dict[str, Any]:
    return {
        "institution": row.institution,
        "cycle": cycle,
        "standings": [
            {
                "kind": standing.spec.kind,
                "state": standing.standing.value if standing.standing else None,
                "late": standing.late,
            }
            for standing in row.standings
        ],
        "links": {
            "self": url_for("api.institution", code=row.institution.code),
            "submissions": url_for("api.submissions", institution=row.institution.code),
        },
    }


@route("/cycles", "Ciclos")
@read_only(bp)
@bp.response(200, CyclesSchema, description="Correcto")
def cycles() -> dict[str, Any]:
    """Ciclos y sus ventanas

    Todos los ciclos, del más reciente al más antiguo, con sus ventanas (y su estado hoy,
    en Chile) y el período de ejecución del plan.
    """
    return {"items": queries.cycles()}


@route("/institutions", "Instituciones")
@read_only(bp)
@query(InstitutionArgs, location="query", as_kwargs=False)
@bp.response(200, InstitutionPageSchema, description="Correcto")
def institutions(args: dict[str, Any]) -> Paged:
    """Instituciones y su estado en un ciclo

    Las instituciones que su cuenta puede ver, por código, con los datos del catálogo y el
    estado de su diagnóstico y su plan en el ciclo pedido (por omisión, el vigente). Se
    filtra por ministerio, etapa y, con `kind`, por el estado de ese envío. Las páginas
    enlazan a la anterior y la siguiente (en el cuerpo y en el encabezado `Link`).
    """
    filters = queries.institution_filters(args)
    year = filters.cycle.year if filters.cycle else None
    found = queries.institutions(api_user(), filters, chile_today(), args["page"], args["per_page"])
    return paged([_row(row, year) for row in found.items], args, found.total)


@route("/institutions/<code>", "Instituciones", CODE_IN_PATH)
@read_only(bp)
@query(CycleArgs, location="query", as_kwargs=False)
@bp.response(200, InstitutionRowSchema, description="Correcto")
@bp.doc(responses={404: "NOT_FOUND"})
def institution(args: dict[str, Any], code: str) -> dict[str, Any]:
    """Una institución y su estado en un ciclo

    La misma fila que la lista, para el código pedido.
    """
    filters = queries.institution_filters(args)
    year = filters.cycle.year if filters.cycle else None
    return _row(queries.institution(api_user(), code, filters, chile_today()), year)


@route("/institutions/<code>/indicators", "Instituciones", CODE_IN_PATH)
@read_only(bp)
@query(IndicatorArgs, location="query", as_kwargs=False)
@bp.response(200, IndicatorHistorySchema, description="Correcto")
@bp.doc(responses={404: "NOT_FOUND"})
def institution_indicators(args: dict[str, Any], code: str) -> queries.Indicators:
    """Historial de indicadores de una institución

    Las cifras anuales que la aplicación guarda de la institución, importadas de los
    consolidados oficiales: reclamos, SAIP y trámites relevantes, año por año del más
    antiguo al más reciente (con `year`, solo las de ese año), y las metas de cada ciclo.
    Tal como se guardaron: una cifra no informada es null y `unreported_as` dice cómo la
    escribió el archivo, así «-», una celda vacía y un cero no se confunden. Los
    porcentajes derivados no se guardan: se calculan de estas cifras.
    """
    return queries.indicators(api_user(), code, args.get("year"))


@route("/submissions", "Envíos")
@read_only(bp)
@query(SubmissionArgs, location="query", as_kwargs=False)
@bp.response(200, SubmissionPageSchema, description="Correcto")
def submissions(args: dict[str, Any]) -> Paged:
    """Envíos

    Los diagnósticos y planes que su cuenta puede ver, por id: su estado, quién los revisa,
    sus plazos y sus versiones (número, fecha, autor y SHA-256 del contenido). Se filtra
    por ciclo, institución, ministerio, etapa, tipo y estado.
    """
    found = queries.submissions(api_user(), args, args["page"], args["per_page"])
    return paged(found.items, args, found.total)


@route("/submissions/<int:submission_id>", "Envíos")
@read_only(bp)
@bp.response(200, SubmissionSchema, description="Correcto")
@bp.doc(responses={404: "NOT_FOUND"})
def submission(submission_id: int) -> Any:
    """Un envío"""
    return queries.submission(api_user(), submission_id)


@route("/submissions/<int:submission_id>/reviews", "Envíos")
@read_only(bp)
@bp.response(200, ReviewsSchema, description="Correcto")
@bp.doc(responses={404: "NOT_FOUND"})
def submission_reviews(submission_id: int) -> dict[str, Any]:
    """Revisiones de un envío

    Cada revisión del envío, una por versión revisada: quién la revisó, cuándo la tomó y
    cuándo decidió, la decisión y su fundamento, el resultado por requisito técnico (solo
    una vez decidida) y las observaciones que hizo, cada una con su vida: la respuesta de
    la institución y si una revisión siguiente la dio por resuelta o la reabrió, quién y
    cuándo.
    """
    return {"items": queries.review_rounds(api_user(), submission_id)}


CONTENT_DOC = {
    "description": "El contenido canónico de la versión, byte a byte: su SHA-256 es el "
    "`content_sha256` de la versión.",
    "content": {"application/json": {"schema": {"type": "object"}}},
    "headers": {"ETag": "ETAG"},
}


@route("/versions/<int:version_id>/content", "Envíos")
@read_only(bp)
@bp.doc(responses={200: CONTENT_DOC, 404: "NOT_FOUND"})
def version_content(version_id: int) -> Response:
    """Contenido de una versión

    El JSON canónico que se envió, tal como se calculó su SHA-256: `sha256(cuerpo)` es el
    `content_sha256` de la versión. Su `ETag` es ese mismo SHA-256.
    """
    version = queries.version(api_user(), version_id)
    response = Response(version.content_json.encode("utf-8"), mimetype="application/json")
    response.set_etag(version.content_hash)
    return response
