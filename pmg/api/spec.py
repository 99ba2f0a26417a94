"""The OpenAPI 3.1 document of ``/api/v1/``, generated from the views and schemas by
flask-smorest (apispec), and the API's place in the application."""

from __future__ import annotations

import http
from typing import Any

from flask import Flask
from flask_smorest import Api
from flask_smorest.utils import prepare_response

from pmg.api import docs, downloads, endpoints, sheet_endpoints
from pmg.api.problems import PROBLEM, TITLES, problem
from pmg.api.schemas import ProblemSchema
from pmg.core.errors import answer_errors_under
from pmg.core.routing import DB_INT_MAX, DatabaseIntegerConverter

PREFIX = "/api/"
# The modules whose views are on endpoints.bp.
VIEWS = (endpoints, downloads, sheet_endpoints)
DESCRIPTION = """API de solo lectura de PMG CSEU para DIPRES y la Secretaría de Modernización.

Cada solicitud lleva un token personal en el encabezado `Authorization: Bearer <token>`
(se crea en la página «Tokens de la API» de la cuenta, o con `flask pmg create-token`). El
token ve exactamente lo que su cuenta ve en las páginas web; lo que no puede ver responde 404,
igual que lo que no existe. Una cookie de sesión no abre la API. Toda respuesta de un GET lleva
`ETag`; con `If-None-Match` se responde 304 si nada cambió. Los errores son
`application/problem+json`."""


class PmgApi(Api):
    """flask-smorest's Api, answering errors as the rest of the application does (the API's
    as problem+json, :mod:`pmg.api.problems`), and documenting them as such."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        """None: :func:`pmg.core.errors.register_error_handlers` answers every error, and
        those under ``/api/`` with :func:`pmg.api.problems.problem`."""

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": TITLES.get(status, status.phrase)}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM)
            self.spec.components.response(status.name, response, lazy=True)
        default = {"description": "Error", "schema": self.ERROR_SCHEMA}
        prepare_response(default, self.spec, PROBLEM)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, default, lazy=True)

    def _register_etag_headers(self) -> None:
        self.spec.components.parameter(
            "IF_NONE_MATCH",
            "header",
            {
                "name": "If-None-Match",
                "in": "header",
                "description": "El ETag de una respuesta anterior: si nada cambió, 304 sin cuerpo.",
                "schema": {"type": "string"},
            },
            lazy=True,
        )
        self.spec.components.header(
            "ETAG",
            {"description": "Huella de esta respuesta.", "schema": {"type": "string"}},
            lazy=True,
        )


def register_api(app: Flask) -> None:
    """Serve ``/api/v1/``, its document and its reference; its errors as problem+json."""
    api = PmgApi(
        spec_kwargs={
            "title": "PMG CSEU",
            "version": "1",
            "openapi_version": "3.1.0",
            "info": {"description": DESCRIPTION},
        }
    )
    api.init_app(app)
    api.register_converter(
        DatabaseIntegerConverter,
        lambda converter: {"type": "integer", "minimum": 0, "maximum": DB_INT_MAX},
    )
    api.spec.components.security_scheme(
        "token",
        {"type": "http", "scheme": "bearer", "description": "Token personal de la API."},
    )
    api.register_blueprint(endpoints.bp)
    app.register_blueprint(docs.bp)
    answer_errors_under(PREFIX, problem)
