"""The DomainError family and the HTTP error pages.

Operations raise a :class:`DomainError` subclass with a message fit to show a
user; routes and CLI commands decide how to present it.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, make_response, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.wrappers import Response


class DomainError(Exception):
    """A rule of the domain refused the operation; ``message`` is shown to the user."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    status_code = 404


class Forbidden(DomainError):
    status_code = 403


class Conflict(DomainError):
    """Someone else acted first, or the object is not in a state that allows the action."""

    status_code = 409


class TooManyAttempts(DomainError):
    status_code = 429


ERROR_PAGES: dict[int, tuple[str, str]] = {
    400: (
        "Solicitud no válida",
        "La solicitud no se pudo procesar. Revise los datos e intente de nuevo.",
    ),
    403: ("Acceso no permitido", "Su cuenta no tiene permiso para ver esta página."),
    404: (
        "Página no encontrada",
        "La página que busca no existe o no está disponible para su cuenta.",
    ),
    405: ("Método no permitido", "Esta acción no se puede realizar de esa forma."),
    409: ("Conflicto", "Otra persona modificó estos datos antes que usted. Recargue la página."),
    413: (
        "Archivo demasiado grande",
        "El archivo o formulario enviado supera el tamaño máximo permitido.",
    ),
    429: (
        "Demasiados intentos",
        "Se hicieron demasiados intentos. Espere unos minutos y vuelva a intentar.",
    ),
    500: ("Error interno", "Ocurrió un error inesperado. El equipo de soporte fue notificado."),
}


# How the errors of requests under a path are answered when they are not pages (the API
# answers problem+json): the status, a message fit to show if there is one, and the error.
ErrorAnswer = Callable[[int, str | None, Exception | None], Response]
_ANSWERS: dict[str, ErrorAnswer] = {}


def answer_errors_under(prefix: str, answer: ErrorAnswer) -> None:
    """Answer the errors of every request whose path starts with ``prefix`` by ``answer``
    instead of an error page: a path under it that names nothing included."""
    _ANSWERS[prefix] = answer


def render_error(
    status: int, detail: str | None = None, error: Exception | None = None
) -> ResponseReturnValue:
    for prefix, answer in _ANSWERS.items():
        if request.path.startswith(prefix):
            return answer(status, detail, error)
    title, message = ERROR_PAGES.get(status, ERROR_PAGES[500])
    return render_template(
        "errors/error.html", status=status, title=title, message=detail or message
    ), status


def register_error_handlers(app: Flask) -> None:
    """Spanish error pages for every HTTP error; never a stack trace."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> ResponseReturnValue:
        return render_error(
            400,
            "El formulario expiró o no es válido. Recargue la página y envíelo de nuevo.",
            error,
        )

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError) -> ResponseReturnValue:
        return render_error(error.status_code, error.message, error)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        status = error.code or 500
        response = make_response(
            render_error(status if status in ERROR_PAGES else 500, None, error)
        )
        if isinstance(error, MethodNotAllowed) and error.valid_methods:  # 405
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> ResponseReturnValue:
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return render_error(500)
