"""The API's documentation, open to anyone (it holds no data): the OpenAPI document and a
reference page drawn from it on the server, with nothing loaded from elsewhere."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, render_template
from werkzeug.wrappers import Response

from pmg.api.endpoints import conditional
from pmg.api.reference import reference

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1")
bp.after_request(conditional)


def document(app: Flask) -> dict[str, Any]:
    """The OpenAPI document of ``app``'s API (:func:`pmg.api.spec.register_api`)."""
    spec: dict[str, Any] = app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()
    return spec


@bp.route("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 document, generated from the code."""
    return jsonify(document(current_app))


@bp.route("/docs")
def reference_page() -> str:
    """The reference for people, drawn from the same document on the server."""
    return render_template("api/reference.html", reference=reference(document(current_app)))
