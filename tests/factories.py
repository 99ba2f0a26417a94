"""Factories that build valid objects with sensible defaults; tests name only what matters."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from itertools import count
from typing import Any

from sqlalchemy import select

from pmg.auth import operations as auth_operations
from pmg.auth.models import User
from pmg.core.permissions import Role
from pmg.cycles.models import Cycle
from pmg.extensions import db
from pmg.institutions.models import FunctionalCategory, Institution, MesuCommitment, Ministry, Stage
from pmg.requirements.models import RequirementCatalog

PASSWORD = "clave-de-prueba-123"
_sequence = count(1)


def create_ministry(name: str | None = None) -> Ministry:
    name = name or f"MINISTERIO DE PRUEBA {next(_sequence)}"
    ministry = db.session.scalar(select(Ministry).where(Ministry.name == name))
    if ministry is None:
        ministry = Ministry(name=name)
        db.session.add(ministry)
        db.session.flush()
    return ministry


def create_institution(
    code: str | None = None,
    name: str | None = None,
    *,
    ministry: Ministry | None = None,
    stage: Stage = Stage.STAGE_3,
    mesu: MesuCommitment = MesuCommitment.NO,
    category: FunctionalCategory = FunctionalCategory.GENERAL_SERVICES,
    commit: bool = True,
) -> Institution:
    number = next(_sequence)
    institution = Institution(
        code=code or f"9{number:03d}",
        name=name or f"SERVICIO DE PRUEBA {number}",
        ministry=ministry or create_ministry(),
        stage=stage,
        mesu=mesu,
        category=category,
    )
    db.session.add(institution)
    if commit:
        db.session.commit()
    return institution


def create_sample_catalog() -> dict[str, Institution]:
    """Three institutions of two ministries, in three stages and categories, one with the
    MESU voluntary: «riego» (1306), «indap» (1303) and «fonasa» (3101_61)."""
    health = create_ministry("MINISTERIO DE SALUD")
    agriculture = create_ministry("MINISTERIO DE AGRICULTURA")
    return {
        "riego": create_institution(
            "1306",
            "COMISION NACIONAL DE RIEGO",
            ministry=agriculture,
            stage=Stage.STAGE_3,
            category=FunctionalCategory.GENERAL_SERVICES,
        ),
        "indap": create_institution(
            "1303",
            "INSTITUTO DE DESARROLLO AGROPECUARIO",
            ministry=agriculture,
            stage=Stage.STAGE_1,
            category=FunctionalCategory.PRODUCTIVE_PROMOTION,
        ),
        "fonasa": create_institution(
            "3101_61",
            "FONDO NACIONAL DE SALUD",
            ministry=health,
            stage=Stage.SAIP,
            mesu=MesuCommitment.VOLUNTARY,
            category=FunctionalCategory.EDUCATION_HEALTH,
        ),
    }


def create_user(
    role: Role = Role.ADMIN,
    *,
    email: str | None = None,
    institutions: list[Institution] | None = None,
    active: bool = True,
    password: str = PASSWORD,
    name: str | None = None,
) -> User:
    if role is Role.COORDINATOR and not institutions:
        institutions = [create_institution()]
    user = auth_operations.create_user(
        email=email or f"{role.value}{next(_sequence)}@servicio.gob.cl",
        name=name or f"Persona {role.label}",
        role=role,
        password=password,
        institutions=institutions or [],
    )
    user.active = active
    db.session.commit()
    return user


def create_cycle(year: int | None = None, *, current: bool = True, **windows: Any) -> Cycle:
    """A cycle whose windows are all open today unless ``windows`` says otherwise."""
    today = date.today()
    year = year or today.year
    values: dict[str, Any] = {}
    for kind in ("diagnostic", "plan", "review", "correction", "close"):
        values[f"{kind}_start"] = today - timedelta(days=10)
        values[f"{kind}_end"] = today + timedelta(days=30)
    values["execution_start"], values["execution_end"] = date(year, 1, 1), date(year, 12, 31)
    values.update(windows)
    cycle = Cycle(year=year, reference_year=year - 1, is_current=current, **values)
    db.session.add(cycle)
    db.session.commit()
    return cycle


def with_value(draft: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``draft`` with the field at ``path`` (``gaps.1.priority``) set to ``value``."""
    changed = copy.deepcopy(draft)
    node: Any = changed
    *parents, last = path.split(".")
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    node[last] = value
    return changed


def diagnostic_draft(procedures: int = 2, gaps: int = 2, **sections: Any) -> dict[str, Any]:
    """A complete, valid diagnostic draft as a coordinator types it (all text)."""
    draft: dict[str, Any] = {
        "responsible": {
            "name": "María González",
            "position": "Jefa de Atención Ciudadana",
            "email": "mgonzalez@servicio.gob.cl",
            "team": "Pedro Soto, Planificación\nAna Rojas, OIRS",
        },
        "complaints": {
            "received": "1.250",
            "answered": "1200",
            "mean_days": "8,5",
            "median_days": "7",
            "min_days": "1",
            "max_days": "35",
            "answered_over_20": "90",
            "analysis": "Los tiempos bajaron respecto del año anterior.",
        },
        "saip": {
            "received": "16",
            "answered": "16",
            "mean_days": "12,4",
            "median_days": "11",
            "min_days": "2",
            "max_days": "25",
            "answered_within_10": "5",
            "answered_within_15": "9",
            "answered_within_20": "14",
            "answered_over_20": "2",
            "analysis": "",
        },
        "procedures": [
            {
                "name": f"Trámite de prueba {number + 1}",
                "justification": "masividad",
                "other_reason": "",
                "start_milestone": "Ingreso de la solicitud",
                "end_milestone": "Notificación de la resolución",
                "expected_time": "10",
                "time_unit": "dias_habiles",
                "mean": "9,2",
                "median": "8",
                "minimum": "1",
                "maximum": "30",
                "handled_late": "120",
                "handled": "4.500",
            }
            for number in range(procedures)
        ],
        "channels": [
            {"kind": "presencial", "description": "Oficinas regionales", "volume": "12000"},
            {"kind": "web", "description": "Sitio web institucional", "volume": "45000"},
        ],
        "satisfaction": [
            {
                "channel": "web",
                "respondents": "800",
                "satisfied_pct": "72,5",
                "analysis": "La satisfacción digital es estable.",
            }
        ],
        "gaps": [
            {
                "dimension": "reclamos" if number % 2 == 0 else "tramite",
                "procedure": "" if number % 2 == 0 else "Trámite de prueba 1",
                "description": f"Brecha de prueba {number + 1}",
                "current_value": "7,2 %",
                "expected_value": "5 %",
                "causes": "Falta de personal en temporada alta.",
                "priority": "alta" if number == 0 else "media",
            }
            for number in range(gaps)
        ],
    }
    draft.update(sections)
    return draft


def with_gap_keys(draft: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``draft`` whose gaps have keys (``brecha-1``, ``brecha-2``…) as gaps added
    in the form get; :func:`diagnostic_draft`'s have none, like gaps sent before keys."""
    keyed = copy.deepcopy(draft)
    for number, gap in enumerate(keyed["gaps"], start=1):
        gap["key"] = f"brecha-{number}"
    return keyed


def create_submitted_diagnostic(
    institution: Institution,
    cycle: Cycle,
    coordinator: User | None = None,
    draft: dict[str, Any] | None = None,
) -> Any:
    """A diagnostic submitted through the real operations; returns its version."""
    from pmg.submissions.models import SubmissionKind
    from pmg.submissions.operations import open_submission, save_draft, submit

    coordinator = coordinator or create_user(Role.COORDINATOR, institutions=[institution])
    submission = open_submission(institution, cycle, SubmissionKind.DIAGNOSTIC)
    save_draft(submission, draft or diagnostic_draft(), coordinator, submission.lock_version)
    version = submit(submission, coordinator, date.today(), submission.lock_version)
    db.session.commit()
    return version


def plan_draft(actions: int = 3, year: int | None = None, **sections: Any) -> dict[str, Any]:
    """A complete, valid plan draft for a diagnostic made by :func:`diagnostic_draft`.

    Its actions address gaps 1 and 2 (the diagnostic's high and medium priority gaps).
    """
    year = year or date.today().year
    draft: dict[str, Any] = {
        "actions": [
            {
                "key": f"accion{number + 1}",
                "description": f"Acción de mejora {number + 1}",
                "gaps": ["1"] if number % 2 == 0 else ["1", "2"],
                "owner_unit": "Departamento de Atención Ciudadana",
                "owner_person": "María González",
                "start_date": f"{year}-03-01",
                "end_date": f"{year}-09-30",
                "indicator": "Porcentaje de reclamos respondidos en plazo",
                "target_value": "95",
                "target_unit": "%",
                "verification": "Informe trimestral de gestión de reclamos",
            }
            for number in range(actions)
        ],
        "complaint_targets": {
            "complaints_answered_pct": "97,5",
            "complaints_late_pct": "5",
            "complaints_mean_days": "8",
        },
        "saip_targets": {
            "saip_answered_pct": "100",
            "saip_late_pct": "0",
            "saip_mean_days": "10,5",
        },
        "procedure_targets": [
            {"procedure": "Trámite de prueba 1", "on_time_pct": "98"},
            {"procedure": "Trámite de prueba 2", "on_time_pct": "96,5"},
        ],
    }
    draft.update(sections)
    return draft


def create_submitted_plan(
    institution: Institution,
    cycle: Cycle,
    coordinator: User | None = None,
    draft: dict[str, Any] | None = None,
) -> Any:
    """A diagnostic and then a plan, submitted through the real operations; returns the plan's
    version."""
    from pmg.submissions.models import SubmissionKind
    from pmg.submissions.operations import open_submission, save_draft, submit

    coordinator = coordinator or create_user(Role.COORDINATOR, institutions=[institution])
    create_submitted_diagnostic(institution, cycle, coordinator)
    submission = open_submission(institution, cycle, SubmissionKind.PLAN)
    draft = draft or plan_draft(year=cycle.year)
    save_draft(submission, draft, coordinator, submission.lock_version)
    version = submit(submission, coordinator, date.today(), submission.lock_version)
    db.session.commit()
    return version


def load_starting_catalog(cycle: Cycle) -> RequirementCatalog:
    """The starting requirement catalog (R01–R10), loaded into ``cycle``; returns it."""
    from pmg.requirements.catalog import starting_catalog_text
    from pmg.requirements.operations import load_catalog

    catalog = load_catalog(cycle, starting_catalog_text(), actor=None).catalog
    db.session.commit()
    return catalog


def observe(
    submission: Any, reviewer: User, notes: dict[str, str] | str = "Complete el equipo de trabajo."
) -> list[Any]:
    """Take ``submission`` for review and send it back with an observation on each
    requirement code of ``notes`` (a single text: on the first requirement); returns the
    submission's observations. The cycle needs a requirement catalog."""
    from pmg.review.models import Decision, Outcome
    from pmg.review.operations import VerdictInput, decide, take
    from pmg.review.queries import observations_of

    review = take(submission, reviewer, submission.lock_version)
    by_code = {verdict.requirement.code: verdict.requirement_id for verdict in review.verdicts}
    if isinstance(notes, str):
        notes = {review.verdicts[0].requirement.code: notes}
    checklist = {by_code[code]: VerdictInput(Outcome.FAILS, text) for code, text in notes.items()}
    decide(
        review,
        Decision.OBSERVE,
        reviewer,
        submission.lock_version,
        date.today(),
        note="Hay requisitos por corregir.",
        checklist=checklist,
    )
    db.session.commit()
    return observations_of(submission)


def observe_one(
    submission: Any, reviewer: User, note: str = "Complete el equipo de trabajo."
) -> Any:
    """:func:`observe` with one observation, ``note``, on the first requirement."""
    return observe(submission, reviewer, note)[0]


def resubmit(submission: Any, draft: dict[str, Any], coordinator: User) -> Any:
    """Send ``submission`` back with one observation, answer it and submit ``draft`` as its
    next version; returns the version. The cycle needs a requirement catalog."""
    from pmg.review.observations import answer_observation
    from pmg.submissions.operations import save_draft, submit

    observation = observe_one(submission, create_user(Role.REVIEWER))
    answer_observation(observation, "Se corrigió lo observado.", coordinator)
    save_draft(submission, draft, coordinator, submission.lock_version)
    version = submit(submission, coordinator, date.today(), submission.lock_version)
    db.session.commit()
    return version
