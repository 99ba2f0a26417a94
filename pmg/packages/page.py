"""What the packages page shows of each package, the same in its table and in the progress
it asks for every few seconds (:func:`shown`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pmg.core.filters import format_datetime
from pmg.evidence.checks import format_size
from pmg.packages.models import UNDER_WAY, EvidencePackage, PackageState
from pmg.packages.operations import selection_of


def shown(package: EvidencePackage, now: datetime) -> dict[str, Any]:
    """``package`` as its row shows it at ``now``: plain values (JSON for the page's script)."""
    return {
        "id": package.id,
        "state": package.state.value,
        "state_label": package.state.label,
        "under_way": package.state in UNDER_WAY,
        "ready": package.state is PackageState.READY,
        "done": package.done,
        "total": package.total,
        "percent": percent(package),
        "progress": progress_text(package, now),
        "size": format_size(package.size) if package.size is not None else "",
        "expires": format_datetime(package.expires_at) if package.expires_at else "",
        "problem": package.problem,
    }


def percent(package: EvidencePackage) -> int:
    if package.state is PackageState.READY:
        return 100
    return package.done * 100 // package.total if package.total else 0


def progress_text(package: EvidencePackage, now: datetime) -> str:
    """``4 de 10 (40 %), quedan unos 2 min`` while it is built (its last step: checking and
    storing it); ``Esperando su turno`` while it waits; empty otherwise."""
    if package.state is PackageState.WAITING:
        return "Esperando su turno"
    if package.state is not PackageState.BUILDING:
        return ""
    text = f"{package.done} de {package.total} ({percent(package)} %)"
    if package.done == package.total - 1:
        return f"{text}, verificando y guardando el paquete"
    if package.done and package.started_at:
        per_step = (now - package.started_at).total_seconds() / package.done
        text += f", {time_left(per_step * (package.total - package.done))}"
    return text


def time_left(seconds: float) -> str:
    if seconds < 60:
        return "queda menos de un minuto"
    minutes = round(seconds / 60)
    if minutes <= 1:
        return "queda cerca de un minuto"
    return f"quedan unos {minutes} min" if minutes < 120 else f"quedan unas {round(minutes / 60)} h"


def described(package: EvidencePackage) -> str:
    """What the package holds, in a line: ``Ciclo 2026 · Etapa 2 · Plan de mejora · …``."""
    selection = selection_of(package)
    parts = [f"Ciclo {selection.cycle_year}"]
    if selection.ministry:
        parts.append(selection.ministry)
    chosen = (selection.stage, selection.kind, selection.state)
    parts += [choice.label for choice in chosen if choice]
    parts.append("todas las versiones" if selection.all_versions else "última versión")
    return " · ".join(parts)
