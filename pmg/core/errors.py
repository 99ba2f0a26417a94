"""The DomainError family and the HTTP error pages.

Operations raise a :class:`DomainError` subclass with a message fit to show a
user; routes and CLI commands decide how to present it.
"""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, MethodNotAllowed


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


def render_error(status: int, detail: str | None = None) -> tuple[str, int]:
    title, message = ERROR_PAGES.get(status, ERROR_PAGES[500])
    return render_template(
        "errors/error.html", status=status, title=title, message=detail or message
    ), status


def register_error_handlers(app: Flask) -> None:
    """Spanish error pages for every HTTP error; never a stack trace."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        return render_error(
            400,
            "El formulario expiró o no es válido. Recargue la página y envíelo de nuevo.",
        )

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError) -> tuple[str, int]:
        return render_error(error.status_code, error.message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int] | tuple[str, int, dict[str, str]]:
        status = error.code or 500
        response = render_error(status if status in ERROR_PAGES else 500)
        if isinstance(error, MethodNotAllowed) and error.valid_methods:  # 405
            return response[0], 405, {"Allow": ", ".join(error.valid_methods)}
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> tuple[str, int]:
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return render_error(500)
