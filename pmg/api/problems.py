"""Errors of the API as ``application/problem+json`` (RFC 9457), with Spanish titles."""

from __future__ import annotations

from typing import Any

from flask import current_app, json
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from pmg.core.errors import ERROR_PAGES

PROBLEM = "application/problem+json"
TITLES = {
    200: "Correcto",
    304: "Sin cambios desde el ETag de If-None-Match",
    400: "Parámetros no válidos",
    401: "Falta un token válido",
    404: "No encontrado",
    405: "Método no permitido",
    429: "Demasiados intentos",
    500: "Error interno",
}
DETAILS = {
    400: "La consulta tiene parámetros no válidos: vea «errors».",
    401: "Envíe un token de la API en el encabezado «Authorization: Bearer <token>».",
    404: "Lo pedido no existe o su cuenta no puede verlo.",
    405: "La API es de solo lectura: use GET.",
}


def _field_errors(error: Exception | None) -> dict[str, Any] | None:
    """What webargs found wrong in each parameter, by where it was (``query``)."""
    data = getattr(error, "data", None) if isinstance(error, HTTPException) else None
    messages = data.get("messages") if isinstance(data, dict) else None
    return messages if isinstance(messages, dict) else None


def problem(status: int, detail: str | None = None, error: Exception | None = None) -> Response:
    """The problem document of ``status``: its Spanish title, and ``detail`` or the usual
    explanation; a 401 says which scheme to use."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": TITLES.get(status) or ERROR_PAGES.get(status, ERROR_PAGES[500])[0],
        "status": status,
    }
    explanation = detail or DETAILS.get(status)
    if explanation:
        body["detail"] = explanation
    errors = _field_errors(error)
    if errors:
        body["errors"] = errors
    response = current_app.response_class(json.dumps(body), status=status, mimetype=PROBLEM)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="PMG CSEU"'
    return response
