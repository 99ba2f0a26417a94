"""What the demo's coordinators type: the diagnostic and plan of each institution whose
work the demo leaves in flight (:mod:`pmg.demo.work`).

Written as a person types them in the form (text, commas for decimals), to be laid over
what the draft starts with: the sections the history pre-fills for the demo coordinator's
institutions are left out here, so the pre-filled figures stay as imported.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

Draft = dict[str, Any]

RIEGO, INDAP, SAG, CONAF, DEFENSORIA = "1306", "1303", "1304", "1305", "833"
RIEGO_PROCEDURE = "Bonificación por obras de riego (Ley 18.450)"
INDAP_PROCEDURE = "Crédito de enlace de riego"


def _responsible(name: str, position: str, email: str, team: str) -> Draft:
    return {"name": name, "position": position, "email": email, "team": team}


def _complaints(*figures: str, analysis: str) -> Draft:
    """received, answered, mean, median, min, max, answered in more than 20 days."""
    names = ("received", "answered", "mean_days", "median_days", "min_days", "max_days")
    return {**dict(zip((*names, "answered_over_20"), figures, strict=True)), "analysis": analysis}


def _saip(*figures: str, analysis: str) -> Draft:
    """received, answered, mean, median, min, max, within 10, 15, 20 days, over 20 days."""
    names = ("received", "answered", "mean_days", "median_days", "min_days", "max_days")
    bands = ("answered_within_10", "answered_within_15", "answered_within_20", "answered_over_20")
    return {**dict(zip((*names, *bands), figures, strict=True)), "analysis": analysis}


def _procedure(key: str, name: str, start: str, end: str, *figures: str) -> Draft:
    """expected time (business days), mean, median, minimum, maximum, late, handled."""
    names = ("expected_time", "mean", "median", "minimum", "maximum", "handled_late", "handled")
    return {
        "key": key,
        "name": name,
        "justification": "masividad",
        "other_reason": "",
        "start_milestone": start,
        "end_milestone": end,
        "time_unit": "dias_habiles",
        **dict(zip(names, figures, strict=True)),
    }


def _channel(kind: str, description: str, volume: str) -> Draft:
    return {"kind": kind, "description": description, "volume": volume}


def _satisfaction(channel: str, respondents: str, satisfied: str, analysis: str) -> Draft:
    return {
        "channel": channel,
        "respondents": respondents,
        "satisfied_pct": satisfied,
        "analysis": analysis,
    }


def _gap(
    number: int,
    dimension: str,
    description: str,
    values: tuple[str, str],
    causes: str,
    priority: str,
    procedure: str = "",
) -> Draft:
    return {
        "key": f"brecha-{number}",
        "dimension": dimension,
        "procedure": procedure,
        "description": description,
        "current_value": values[0],
        "expected_value": values[1],
        "causes": causes,
        "priority": priority,
    }


# The sections each institution types, by code; pre-filled ones are left out.
DIAGNOSTICS: Mapping[str, Draft] = {
    RIEGO: {
        "responsible": _responsible(
            "Carolina Fuentes",
            "Jefa de la Unidad de Atención Ciudadana",
            "cfuentes@cnr.gob.cl",
            # Names only: the demo reviewer asks for each one's unit.
            "Rodrigo Muñoz\nPaula Tapia\nJavier Araya",
        ),
        "channels": [
            _channel("presencial", "Oficina de partes y oficinas zonales", "2.400"),
            _channel("web", "Sitio web y sistema de postulación en línea", "18.500"),
            _channel("telefonico", "Mesa de ayuda de concursos", "3.100"),
        ],
        "gaps": [
            _gap(
                1,
                "reclamos",
                "Reclamos respondidos después de 20 días hábiles en los meses de concurso",
                ("3 %", "0 %"),
                "La misma unidad responde reclamos y evalúa postulaciones en esos meses.",
                "alta",
            ),
            _gap(
                2,
                "canal",
                "La mesa de ayuda no registra el motivo de cada llamada",
                ("Sin registro", "100 % de las llamadas con motivo registrado"),
                "El sistema telefónico no tiene formulario de registro.",
                "media",
            ),
        ],
    },
    INDAP: {
        "responsible": _responsible(
            "Marcelo Rojas",
            "Jefe del Departamento de Atención a Usuarios",
            "mrojas@indap.cl",
            "Daniela Soto, Departamento de Atención a Usuarios\n"
            "Felipe Contreras, División de Fomento\nMacarena Lagos, Departamento de Gestión",
        ),
        "channels": [
            _channel("presencial", "Agencias de área en todo el país", "185.000"),
            _channel("web", "Portal de usuarios y postulación en línea", "96.000"),
            _channel("telefonico", "Centro de llamadas", "41.000"),
        ],
        "satisfaction": [
            _satisfaction(
                "presencial",
                "1.200",
                "81,5",
                "La atención en agencias es la mejor evaluada; baja en temporada de créditos.",
            ),
            _satisfaction(
                "web",
                "640",
                "66",
                "Las personas usuarias piden seguir el estado de su solicitud en línea.",
            ),
        ],
        "gaps": [
            _gap(
                1,
                "tramite",
                "Créditos de enlace resueltos después del plazo esperado",
                ("4 %", "2 %"),
                "Revisión manual de antecedentes en las agencias de mayor demanda.",
                "alta",
                procedure=INDAP_PROCEDURE,
            ),
            _gap(
                2,
                "satisfaccion",
                "Baja satisfacción con el canal web",
                ("66 %", "75 %"),
                "El portal no muestra el estado de la solicitud.",
                "media",
            ),
        ],
    },
    SAG: {
        "responsible": _responsible(
            "Alejandra Vidal",
            "Encargada nacional OIRS",
            "alejandra.vidal@sag.gob.cl",
            "Tomás Herrera, OIRS\nIgnacio Pérez, División de Protección Pecuaria",
        ),
        "complaints": _complaints(
            "2.310",
            "2.280",
            "12,3",
            "10",
            "1",
            "58",
            "310",
            analysis="Los reclamos por certificaciones de exportación demoran más.",
        ),
        "saip": _saip(
            "1.140",
            "1.120",
            "13,1",
            "12",
            "1",
            "30",
            "420",
            "760",
            "1.080",
            "40",
            analysis="",
        ),
        "procedures": [
            _procedure(
                "tramite-sag-1",
                "Certificación fitosanitaria de exportación",
                "Solicitud de inspección",
                "Emisión del certificado",
                "5",
                "4,2",
                "4",
                "1",
                "15",
                "1.850",
                "61.200",
            )
        ],
        "channels": [
            _channel("presencial", "Oficinas sectoriales y controles fronterizos", "310.000"),
            _channel("web", "Sistema de solicitudes en línea", "220.000"),
        ],
        "satisfaction": [
            _satisfaction(
                "presencial", "900", "78", "Buena evaluación del trato; críticas a la espera."
            )
        ],
        "gaps": [
            _gap(
                1,
                "reclamos",
                "Reclamos respondidos después de 20 días hábiles",
                ("13,6 %", "8 %"),
                "Las respuestas técnicas dependen de las divisiones regionales.",
                "alta",
            )
        ],
    },
    CONAF: {
        "responsible": _responsible(
            "Gonzalo Riquelme",
            "Jefe de la Sección de Atención Ciudadana",
            "gonzalo.riquelme@conaf.cl",
            "Valentina Ortiz, Sección de Atención Ciudadana\nCristián Bravo, Gerencia Forestal",
        ),
        "complaints": _complaints(
            "640",
            "628",
            "9,4",
            "8",
            "1",
            "40",
            "45",
            analysis="Los reclamos se concentran en la temporada de incendios.",
        ),
        "saip": _saip(
            "520",
            "515",
            "10,2",
            "9",
            "1",
            "20",
            "260",
            "430",
            "515",
            "0",
            analysis="Todas las solicitudes se respondieron dentro del plazo legal.",
        ),
        "procedures": [
            _procedure(
                "tramite-conaf-1",
                "Aviso de quema controlada",
                "Ingreso del aviso",
                "Autorización de la quema",
                "3",
                "2,1",
                "2",
                "1",
                "6",
                "380",
                "14.500",
            )
        ],
        "channels": [
            _channel("presencial", "Oficinas provinciales", "52.000"),
            _channel("web", "Sistema de avisos de quema en línea", "38.000"),
        ],
        "satisfaction": [
            _satisfaction("web", "450", "74,5", "El aviso en línea es bien evaluado.")
        ],
        "gaps": [
            _gap(
                1,
                "tramite",
                "Avisos de quema autorizados fuera del plazo esperado",
                ("2,6 %", "1 %"),
                "Sobrecarga de las oficinas provinciales en primavera.",
                "alta",
                procedure="Aviso de quema controlada",
            )
        ],
    },
    DEFENSORIA: {
        "responsible": _responsible(
            "Patricia Navarro",
            "Encargada de Transparencia",
            "pnavarro@dedecon.cl",
            "Sebastián Castro, Unidad de Transparencia",
        ),
        "saip": _saip(
            "310",
            "306",
            "11,5",
            "10",
            "2",
            "26",
            "150",
            "240",
            "290",
            "16",
            analysis="Las solicitudes que requieren datos de otras unidades demoran más.",
        ),
        "gaps": [
            _gap(
                1,
                "saip",
                "Solicitudes respondidas después de 20 días hábiles",
                # Not measurable: the demo reviewer observes it and the coordinator fixes it.
                ("16 solicitudes", "Mejorar"),
                "Las unidades que entregan los datos no tienen un plazo interno.",
                "alta",
            )
        ],
    },
}

# What the Defensoría corrects after the review, and its answer to the observation.
DEFENSORIA_EXPECTED = "0 solicitudes respondidas después de 20 días hábiles"
DEFENSORIA_ANSWER = (
    "Se fijó el valor esperado de la brecha 1: ninguna solicitud respondida después de "
    "20 días hábiles."
)


def corrected_defensoria(draft: Draft) -> Draft:
    """The Defensoría's diagnostic with the measurable expected value the review asked for."""
    gaps = [dict(gap) for gap in draft["gaps"]]
    gaps[0]["expected_value"] = DEFENSORIA_EXPECTED
    return {**draft, "gaps": gaps}


def _action(
    number: int, description: str, gaps: list[str], period: tuple[date, date], **fields: str
) -> Draft:
    start, end = period
    return {
        "key": f"accion-{number}",
        "description": description,
        "gaps": gaps,
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
        **fields,
    }


def indap_plan(today: date) -> Draft:
    """INDAP's complete plan: an action for each gap of its diagnostic, within the cycle's
    execution period (the demo's: from a month ago to eight months ahead)."""
    period = (today + timedelta(days=14), today + timedelta(days=180))
    return {
        "actions": [
            _action(
                1,
                "Revisión de antecedentes de créditos de enlace en línea en las agencias de "
                "mayor demanda",
                ["brecha-1"],
                period,
                owner_unit="División de Fomento",
                owner_person="Felipe Contreras",
                indicator="Créditos de enlace resueltos dentro del plazo esperado",
                target_value="98",
                target_unit="%",
                verification="Reporte mensual del sistema de créditos",
            ),
            _action(
                2,
                "Seguimiento del estado de la solicitud en el portal de usuarios",
                ["brecha-2"],
                period,
                owner_unit="Departamento de Atención a Usuarios",
                owner_person="Daniela Soto",
                indicator="Satisfacción con el canal web",
                target_value="75",
                target_unit="%",
                verification="Resultados de la medición de satisfacción usuaria",
            ),
        ],
        "procedure_targets": [{"procedure": INDAP_PROCEDURE, "on_time_pct": "98"}],
    }


def riego_plan(today: date) -> Draft:
    """The plan the Comisión Nacional de Riego has begun: one action, its verification
    still to write."""
    period = (today + timedelta(days=30), today + timedelta(days=120))
    return {
        "actions": [
            _action(
                1,
                "Equipo de respuesta de reclamos dedicado durante los meses de concurso",
                ["brecha-1"],
                period,
                owner_unit="Unidad de Atención Ciudadana",
                owner_person="Carolina Fuentes",
                indicator="Reclamos respondidos en 20 días hábiles o menos",
                target_value="100",
                target_unit="%",
                verification="",
            )
        ],
        "procedure_targets": [{"procedure": RIEGO_PROCEDURE, "on_time_pct": "99"}],
    }
