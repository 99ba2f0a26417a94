"""Breadcrumbs: where the current page sits, from the home page down.

:func:`trail` maps a page (its endpoint and the values of its URL) to the pages above it;
the base layout shows it on every page below the home page (``templates/base.html``), so no
page template lists its parents. An endpoint not in :data:`TRAILS` gets no trail, and so
does a page naming an institution the person may not see. Error pages show none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import request, url_for
from flask_login import current_user

from pmg.core.permissions import Actor
from pmg.cycles.queries import current_cycle
from pmg.institutions.queries import find_visible_institution
from pmg.submissions.kinds import KindSpec, by_slug


@dataclass(frozen=True)
class Crumb:
    label: str
    url: str


Args = Mapping[str, Any]
# The pages above and including the current one, or None when the page has no trail.
Trail = list[Crumb] | None
Builder = Callable[[Args, Actor], Trail]


def _home() -> Crumb:
    return Crumb("Inicio", url_for("workspace.home"))


def _page(label: str, endpoint: str, **values: Any) -> Crumb:
    return Crumb(label, url_for(endpoint, **values))


def _institution(args: Args, user: Actor) -> Trail:
    """Instituciones › <name>, if ``user`` may see the institution the URL names."""
    code = args.get("code")
    institution = find_visible_institution(user, str(code)) if code is not None else None
    if institution is None:
        return None
    return [
        _page("Instituciones", "dashboard.institutions"),
        _page(institution.name, "institutions.detail", code=institution.code),
    ]


def _kind(args: Args) -> KindSpec | None:
    try:
        return by_slug(str(args.get("slug")))
    except KeyError:
        return None


def _submission(args: Args, user: Actor) -> Trail:
    """… › <institution> › Diagnóstico 2026: the versions of one submission."""
    above, kind = _institution(args, user), _kind(args)
    if above is None or kind is None:
        return None
    code, year, slug = args["code"], args["year"], kind.slug
    label = f"{kind.short_name} {year}"
    return [*above, _page(label, "submissions.versions", code=code, year=year, slug=slug)]


def _form(args: Args, user: Actor) -> Trail:
    """… › <institution> › Diagnóstico 2026: the form of the current cycle's submission."""
    above, kind = _institution(args, user), _kind(args)
    if above is None or kind is None:
        return None
    cycle = current_cycle()
    label = f"{kind.short_name} {cycle.year}" if cycle else kind.short_name
    return [*above, _page(label, "submissions.edit", code=args["code"], slug=kind.slug)]


def _review(args: Args, user: Actor) -> Trail:
    """Revisión › <institution> · Diagnóstico 2026."""
    above, kind = _institution(args, user), _kind(args)
    if above is None or kind is None:
        return None
    label = f"{above[-1].label} · {kind.short_name} {args['year']}"
    return [_page("Revisión", "review.queue"), _page(label, "review.page", **args)]


def _fixed(*pages: tuple[str, str]) -> Builder:
    """A trail of pages without values: (label, endpoint), the last one the current page."""

    def build(args: Args, user: Actor) -> Trail:
        return [_page(label, endpoint) for label, endpoint in pages]

    return build


def _below(parent: Builder, label: str, endpoint: str) -> Builder:
    """The trail of ``parent``, then this page: its URL takes the same values, and its label
    may name them (``"Versión {number}"``)."""

    def build(args: Args, user: Actor) -> Trail:
        above = parent(args, user)
        if above is None:
            return None
        return [*above, _page(label.format(**args), endpoint, **args)]

    return build


USERS = _fixed(("Usuarios", "auth.users"))
INSTITUTIONS = ("Instituciones", "dashboard.institutions")
CYCLES = _fixed(("Ciclos", "cycles.index"))
REQUIREMENTS = _fixed(("Requisitos técnicos", "requirements.index"))
REQUIREMENTS_OF_CYCLE = _below(REQUIREMENTS, "Ciclo {year}", "requirements.detail")
CHECK = _below(_form, "Revisar y enviar", "submissions.check")

# Every page below the home page: how its trail is built from the values of its URL.
TRAILS: dict[str, Builder] = {
    "auth.change_own_password": _fixed(("Cambiar contraseña", "auth.change_own_password")),
    "auth.users": USERS,
    "auth.new_user": _below(USERS, "Crear usuario", "auth.new_user"),
    "auth.import_users": _below(USERS, "Importar coordinadores", "auth.import_users"),
    "auth.edit_user": _below(USERS, "Editar usuario", "auth.edit_user"),
    "dashboard.institutions": _fixed(INSTITUTIONS),
    "institutions.import_catalog": _fixed(
        INSTITUTIONS, ("Importar catálogo", "institutions.import_catalog")
    ),
    "institutions.detail": _institution,
    "institutions.edit": _below(_institution, "Editar", "institutions.edit"),
    "cycles.index": CYCLES,
    "cycles.new": _below(CYCLES, "Crear ciclo", "cycles.new"),
    "cycles.edit": _below(CYCLES, "Editar ciclo {year}", "cycles.edit"),
    "indicators.import_indicators": _fixed(
        ("Importar indicadores", "indicators.import_indicators")
    ),
    "submissions.edit": _form,
    "submissions.check": CHECK,
    "submissions.confirm": _below(CHECK, "Confirmar el envío", "submissions.confirm"),
    "submissions.versions": _submission,
    "submissions.version": _below(_submission, "Versión {number}", "submissions.version"),
    "exports.index": _fixed(("Reportes", "exports.index")),
    "packages.index": _fixed(("Paquetes de evidencia", "packages.index")),
    "review.queue": _fixed(("Revisión", "review.queue")),
    "review.page": _review,
    "requirements.index": REQUIREMENTS,
    "requirements.detail": REQUIREMENTS_OF_CYCLE,
    "requirements.edit": _below(REQUIREMENTS_OF_CYCLE, "Editar", "requirements.edit"),
    "notifications.outbox": _fixed(("Correo", "notifications.outbox")),
    "audit.index": _fixed(("Auditoría", "audit.index")),
}


def trail(endpoint: str | None, args: Args, user: Actor) -> list[Crumb]:
    """The pages from the home page down to the page of ``endpoint`` (the last crumb), as
    ``user`` may see them; empty for the home page, an unknown endpoint, or a page naming
    what ``user`` may not see. Needs a request or application context (URLs are built)."""
    build = TRAILS.get(endpoint or "")
    crumbs = build(args, user) if build else None
    return [_home(), *crumbs] if crumbs else []


def current_trail() -> list[Crumb]:
    """The trail of the page being shown, for the signed-in person."""
    if not current_user.is_authenticated:
        return []
    return trail(request.endpoint, request.view_args or {}, current_user)


def navigation_context() -> dict[str, object]:
    """For every template: ``breadcrumbs()`` computes the trail only where it is shown."""
    return {"breadcrumbs": current_trail}
