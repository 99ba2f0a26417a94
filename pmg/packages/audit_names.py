"""How the audit trail names evidence packages and what is done with them."""

from __future__ import annotations

from sqlalchemy import select

from pmg.audit.actions import register_action_labels
from pmg.audit.names import RowNamer, register_names
from pmg.cycles.models import Cycle
from pmg.packages.models import EvidencePackage

register_action_labels(
    {
        "package.request": "Paquete de evidencia pedido",
        "package.cancel": "Paquete de evidencia cancelado",
        "package.download": "Paquete de evidencia descargado",
        "package.remove": "Paquete de evidencia eliminado",
        "package.expire": "Paquete de evidencia vencido y eliminado",
    }
)

register_names(
    "EvidencePackage",
    "Paquete de evidencia",
    RowNamer(
        EvidencePackage,
        lambda: select(EvidencePackage.id, Cycle.year).join(EvidencePackage.cycle),
        lambda row: f"Paquete de evidencia n.º {row.id} · ciclo {row.year}",
    ),
)
