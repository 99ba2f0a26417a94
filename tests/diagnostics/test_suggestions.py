"""The suggested gaps: each rule firing and not, one table row per case, on figures shaped as
the official files and the draft hold them; then loading them from the database."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from pmg.diagnostics.page import pending_suggestions
from pmg.diagnostics.queries import latest_targets, load_basis
from pmg.diagnostics.rules import evaluate
from pmg.diagnostics.schema import GapDimension
from pmg.diagnostics.suggestions import (
    Basis,
    ProcedureTimes,
    Rule,
    Suggestion,
    Target,
    measure_suggestion,
    pending,
    procedure_key,
    shown,
    suggest,
)
from pmg.indicators.measures import BY_KEY, Better, Measure
from pmg.indicators.peers import PeerValues, place_among
from pmg.indicators.queries import history_before
from pmg.institutions.models import Stage
from pmg.submissions.evaluation import SubmissionContext
from tests.exports.queries import counting_queries
from tests.factories import create_cycle, create_institution, diagnostic_draft
from tests.submissions.prefill_history import add_figures, add_procedure, add_targets

ME = 1
COMPLAINT_NAMES = ("received", "answered", "mean_days", "answered_over_20")
SAIP_NAMES = (
    "received",
    "answered",
    "mean_days",
    "answered_within_10",
    "answered_within_15",
    "answered_within_20",
    "answered_over_20",
)


def complaints(*values: Any) -> dict[str, Any]:
    """received, answered, mean days, answered in more than 20 business days."""
    return dict(zip(COMPLAINT_NAMES, values, strict=True))


def saip(*values: Any) -> dict[str, Any]:
    """received, answered, mean days, within 10, 15, 20 days, over 20 days."""
    return dict(zip(SAIP_NAMES, values, strict=True))


# 98,5 % answered, 12,2 % late, 11,2 days on average.
GOOD_2023 = complaints(1502, 1480, 11.2, 180)
# 99,2 % answered, all within 20 days: alone, nothing to suggest.
SAIP_2024 = saip(660, 655, 11.8, 340, 500, 655, 0)


def basis(
    complaint_years: dict[int, Any] | None = None,
    saip_years: dict[int, Any] | None = None,
    targets: dict[str, Target] | None = None,
    peers: dict[int, dict[str, dict[int, float]]] | None = None,
    procedures: tuple[ProcedureTimes, ...] = (),
) -> Basis:
    figures: dict[str, dict[int, Any]] = {"saip": saip_years or {2024: SAIP_2024}}
    if complaint_years is not None:
        figures["complaints"] = complaint_years
    return Basis(
        institution_id=ME,
        peer_group="su etapa (Etapa 2)",
        figures=figures,
        targets=targets or {},
        peers={
            year: {key: PeerValues.of(values) for key, values in measures.items()}
            for year, measures in (peers or {}).items()
        },
        procedures=procedures,
    )


def only(suggestions: list[Suggestion]) -> Suggestion:
    assert len(suggestions) == 1, [s.key for s in suggestions]
    return suggestions[0]


# --- Below the plan target ---------------------------------------------------------------

TARGET_95 = {"complaints_answered_pct": Target(2025, 95.0)}


def test_below_target_says_why_with_the_figures() -> None:
    found = only(suggest(basis({2024: complaints(1600, 1320, 10.5, 150)}, targets=TARGET_95)))
    assert found == Suggestion(
        key="sugerida-reclamos_respondidos",
        dimension=GapDimension.COMPLAINTS,
        label="Reclamos respondidos",
        procedure="",
        description=(
            "En 2024 respondió el 82,5 % de los reclamos; su meta del ciclo 2025 era 95,0 %."
        ),
        current_value="82,5 %",
        expected_value="95,0 %",
        rules=(Rule.TARGET,),
    )


@pytest.mark.parametrize(
    ("answered", "fires"),
    [
        (1520, False),  # 95,0 %: on the target
        (1600, False),  # 100,0 %: above it
        (1519, True),  # 94,9 %
    ],
)
def test_below_target_at_and_around_the_target(answered: int, fires: bool) -> None:
    found = suggest(basis({2024: complaints(1600, answered, 10.5, 150)}, targets=TARGET_95))
    assert [s.key for s in found] == (["sugerida-reclamos_respondidos"] if fires else [])


@pytest.mark.parametrize(
    ("mean_days", "fires", "current"),
    [
        (8.04, False, None),  # shown as 8,0: a tie with the target
        (8.0, False, None),
        (8.05, True, "8,1 días hábiles"),  # rounded half up
        (12.4, True, "12,4 días hábiles"),
    ],
)
def test_a_lower_is_better_target_compares_the_values_as_shown(
    mean_days: float, fires: bool, current: str | None
) -> None:
    targets = {"complaints_mean_days": Target(2025, 8.0)}
    found = suggest(basis({2024: complaints(1600, 1600, mean_days, 0)}, targets=targets))
    if not fires:
        assert found == []
        return
    suggestion = only(found)
    assert suggestion.key == "sugerida-reclamos_tiempo_promedio"
    assert suggestion.current_value == current
    assert suggestion.description == (
        f"En 2024 respondió los reclamos en {current} en promedio; su meta del ciclo 2025 era "
        "8,0 días hábiles."
    )


def test_a_target_not_set_or_a_value_not_reported_suggests_nothing() -> None:
    assert suggest(basis({2024: complaints(1600, 1320, 10.5, 150)})) == []
    assert suggest(basis({2024: complaints(None, 1320, None, None)}, targets=TARGET_95)) == []
    assert suggest(basis({2024: complaints(0, 0, None, 0)}, targets=TARGET_95)) == []


# --- Worse than the previous year ----------------------------------------------------------


@pytest.mark.parametrize(
    ("years", "expected"),
    [
        # 98,5 % → 98,3 % answered; 12,2 % → 9,2 % late; 11,2 → 10,5 days: worse in one.
        (
            {2023: GOOD_2023, 2024: complaints(1650, 1622, 10.5, 150)},
            {
                "sugerida-reclamos_respondidos": (
                    "En 2024 respondió el 98,3 % de los reclamos; el año anterior (2023) fue "
                    "98,5 %."
                )
            },
        ),
        # 98,5 % answered both years: not worse.
        ({2023: GOOD_2023, 2024: complaints(2000, 1970, 10.5, 150)}, {}),
        # 98,3 % → 97,0 % answered, 5,1 % → 5,3 % late, 8,4 → 9,3 days.
        (
            {2023: complaints(120, 118, 8.4, 6), 2024: complaints(135, 131, 9.3, 7)},
            {
                "sugerida-reclamos_respondidos": (
                    "En 2024 respondió el 97,0 % de los reclamos; el año anterior (2023) fue "
                    "98,3 %."
                ),
                "sugerida-reclamos_fuera_de_plazo": (
                    "En 2024 respondió el 5,3 % de los reclamos en más de 20 días hábiles; el "
                    "año anterior (2023) fue 5,1 %."
                ),
                "sugerida-reclamos_tiempo_promedio": (
                    "En 2024 respondió los reclamos en 9,3 días hábiles en promedio; el año "
                    "anterior (2023) fue 8,4 días hábiles."
                ),
            },
        ),
        # A year without the year before it, or the year before not reported.
        ({2024: complaints(135, 131, 9.3, 7)}, {}),
        ({2022: GOOD_2023, 2024: complaints(135, 131, 9.3, 7)}, {}),
        ({2023: complaints(None, None, None, None), 2024: complaints(135, 131, 9.3, 7)}, {}),
    ],
)
def test_worse_than_the_previous_year(years: dict[int, Any], expected: dict[str, str]) -> None:
    found = suggest(basis(years))
    assert {s.key: s.description for s in found} == expected
    assert all(s.rules == (Rule.PREVIOUS_YEAR,) for s in found)


def test_the_reference_year_typed_in_the_draft_comes_before_the_history(app: Flask) -> None:
    typed = evaluate(
        diagnostic_draft(complaints={**diagnostic_draft()["complaints"], "answered": "1.000"}),
        create_institution(),
        complete=False,
    ).content["complaints"]
    found = suggest(basis({2024: complaints(1250, 1200, 8.5, 90), 2025: typed}))
    assert {s.key: s.description for s in found} == {
        "sugerida-reclamos_respondidos": (
            "En 2025 respondió el 80,0 % de los reclamos; el año anterior (2024) fue 96,0 %."
        ),
        "sugerida-reclamos_fuera_de_plazo": (
            "En 2025 respondió el 9,0 % de los reclamos en más de 20 días hábiles; el año "
            "anterior (2024) fue 7,5 %."
        ),
    }


def test_a_reference_year_not_typed_falls_back_to_the_last_history_year() -> None:
    empty = complaints(None, None, None, None)
    found = only(
        suggest(basis({2023: GOOD_2023, 2024: complaints(1600, 1320, 10.5, 150), 2025: empty}))
    )
    assert found.description == (
        "En 2024 respondió el 82,5 % de los reclamos; el año anterior (2023) fue 98,5 %."
    )


# --- Several rules on one measure ----------------------------------------------------------


def test_several_rules_make_one_suggestion_with_every_reason_and_the_most_demanding_value() -> None:
    years = {2023: GOOD_2023, 2024: complaints(1600, 1320, 10.5, 150)}
    found = only(suggest(basis(years, targets=TARGET_95)))
    assert found.key == "sugerida-reclamos_respondidos"
    assert found.rules == (Rule.TARGET, Rule.PREVIOUS_YEAR)
    assert found.description == (
        "En 2024 respondió el 82,5 % de los reclamos; su meta del ciclo 2025 era 95,0 %; el año "
        "anterior (2023) fue 98,5 %."
    )
    assert (found.current_value, found.expected_value) == ("82,5 %", "98,5 %")


# --- The legal deadline of transparency requests -------------------------------------------


@pytest.mark.parametrize(
    ("figures", "description", "current"),
    [
        (
            saip(660, 655, 11.8, 340, 500, 640, 15),
            "En 2024 respondió el 2,3 % de las SAIP en más de 20 días hábiles; 15 solicitudes "
            "superaron el plazo legal de 20 días hábiles (Ley 20.285).",
            "2,3 %",
        ),
        (
            saip(16, 16, 12.4, 5, 9, 15, 1),
            "En 2024 respondió el 6,3 % de las SAIP en más de 20 días hábiles; 1 solicitud "
            "superó el plazo legal de 20 días hábiles (Ley 20.285).",
            "6,3 %",
        ),
        (
            saip(12000, 11985, 9.1, 8000, 11000, 11983, 2),
            "En 2024 respondió el 0,0 % de las SAIP en más de 20 días hábiles; 2 solicitudes "
            "superaron el plazo legal de 20 días hábiles (Ley 20.285).",
            "0,0 %",
        ),
    ],
)
def test_saip_answered_after_twenty_business_days(
    figures: dict[str, Any], description: str, current: str
) -> None:
    found = only(suggest(basis(saip_years={2024: figures})))
    assert found.key == "sugerida-saip_fuera_de_plazo"
    assert found.dimension is GapDimension.SAIP
    assert found.rules == (Rule.LEGAL_DEADLINE,)
    assert found.description == description
    assert (found.current_value, found.expected_value) == (current, "0,0 %")


@pytest.mark.parametrize("late", [0, None])
def test_saip_all_within_the_deadline_or_not_reported_suggests_nothing(late: int | None) -> None:
    assert suggest(basis(saip_years={2024: saip(660, 655, 11.8, 340, 500, 655, late)})) == []


def test_the_legal_deadline_and_the_target_merge_into_one_suggestion() -> None:
    targets = {"saip_late_pct": Target(2025, 1.0)}
    figures = saip(660, 655, 11.8, 340, 500, 640, 15)
    found = only(suggest(basis(saip_years={2024: figures}, targets=targets)))
    assert found.rules == (Rule.LEGAL_DEADLINE, Rule.TARGET)
    assert found.description == (
        "En 2024 respondió el 2,3 % de las SAIP en más de 20 días hábiles; 15 solicitudes "
        "superaron el plazo legal de 20 días hábiles (Ley 20.285); su meta del ciclo 2025 era "
        "1,0 %."
    )
    assert found.expected_value == "0,0 %"


# --- The worst quarter of the stage's peers ------------------------------------------------

# The answered share of eight institutions of the same stage in 2024, the own one (ME) apart.
PEERS_2024 = {2: 99.5, 3: 98.7, 4: 97.2, 5: 96.0, 6: 95.4, 7: 93.8, 8: 91.0}


@pytest.mark.parametrize(
    ("answered", "peers", "fires"),
    [
        (1320, PEERS_2024, True),  # 82,5 %: the worst of eight
        (1600, PEERS_2024, False),  # 100,0 %: the best
        (1540, PEERS_2024, False),  # 96,3 %: the middle
        (1320, {2: 99.5, 3: 98.7}, False),  # three values: no quartiles
        (1320, {}, False),  # no peers that year
    ],
)
def test_worst_quarter_of_the_stage_peers(
    answered: int, peers: dict[int, float], fires: bool
) -> None:
    figures = basis(
        {2024: complaints(1600, answered, 10.5, 150)},
        peers={2024: {"reclamos_respondidos": peers}},
    )
    found = suggest(figures)
    assert [s.key for s in found] == (["sugerida-reclamos_respondidos"] if fires else [])
    if fires:
        # The edge of the worst quarter is the peers module's (pmg.indicators.peers).
        placement = place_among(BY_KEY["reclamos_respondidos"], 82.5, [82.5, *peers.values()])
        assert placement.worst_cut is not None
        cut = shown(placement.worst_cut, "%")
        assert found[0].rules == (Rule.PEERS,)
        assert found[0].description == (
            "En 2024 respondió el 82,5 % de los reclamos; entre las 8 instituciones de su etapa "
            f"(Etapa 2), está en el cuarto con peores resultados (peor que {cut})."
        )
        assert found[0].expected_value == cut


def test_peers_are_compared_with_the_own_value_as_typed() -> None:
    """The history's own value of that year (ME: 99,9) gives way to the one being read."""
    figures = basis(
        {2024: complaints(1600, 1320, 10.5, 150)},
        peers={2024: {"reclamos_respondidos": {**PEERS_2024, ME: 99.9}}},
    )
    assert only(suggest(figures)).rules == (Rule.PEERS,)


def test_peers_of_another_year_are_not_compared() -> None:
    figures = basis(
        {2024: complaints(1600, 1320, 10.5, 150)},
        peers={2023: {"reclamos_respondidos": PEERS_2024}},
    )
    assert suggest(figures) == []


# --- Institutions of stage SAIP -------------------------------------------------------------


def test_an_institution_of_stage_saip_gets_no_complaint_suggestion() -> None:
    targets = {**TARGET_95, "saip_answered_pct": Target(2025, 100.0)}
    found = suggest(basis(saip_years={2024: SAIP_2024}, targets=targets))
    assert [(s.key, s.description) for s in found] == [
        (
            "sugerida-saip_respondidas",
            "En 2024 respondió el 99,2 % de las solicitudes de acceso a información pública "
            "(SAIP); su meta del ciclo 2025 era 100,0 %.",
        )
    ]


# --- Procedures over their expected time ----------------------------------------------------


def times(means: dict[int, float], expected: float | None = 10.0, **values: Any) -> ProcedureTimes:
    return ProcedureTimes(
        row=values.get("row", "tramite-7"),
        name=values.get("name", "Certificado de antecedentes"),
        expected_time=expected,
        unit=values.get("unit", "días hábiles"),
        means=means,
    )


@pytest.mark.parametrize(
    ("procedure", "description", "current", "expected"),
    [
        (
            times({2024: 9.2, 2025: 14.2}),
            "En 2025 el trámite «Certificado de antecedentes» tomó en promedio 14,2 días "
            "hábiles; su tiempo esperado es 10,0 días hábiles.",
            "14,2 días hábiles",
            "10,0 días hábiles",
        ),
        (
            times({2023: 26.0, 2024: 24.5}, 30.0, unit="horas", name="Crédito de enlace"),
            None,
            None,
            None,
        ),
        (times({2025: 10.04}), None, None, None),  # shown as 10,0: on the expected time
        (
            times({2024: 1234.56}, 120.0, unit=""),
            "En 2024 el trámite «Certificado de antecedentes» tomó en promedio 1.234,6; su "
            "tiempo esperado es 120,0.",
            "1.234,6",
            "120,0",
        ),
        (times({2025: 14.2}, None), None, None, None),  # no expected time
        (times({}), None, None, None),  # no mean in any year
    ],
)
def test_procedure_mean_time_over_the_expected_time(
    procedure: ProcedureTimes, description: str | None, current: str | None, expected: str | None
) -> None:
    found = suggest(basis(procedures=(procedure,)))
    if description is None:
        assert found == []
        return
    suggestion = only(found)
    assert suggestion.dimension is GapDimension.PROCEDURE
    assert suggestion.procedure == "Certificado de antecedentes"
    assert suggestion.rules == (Rule.EXPECTED_TIME,)
    assert suggestion.key == procedure_key(procedure.row)
    assert (suggestion.description, suggestion.current_value, suggestion.expected_value) == (
        description,
        current,
        expected,
    )


def test_procedure_keys_are_stable_bounded_and_one_per_row() -> None:
    slow = times({2025: 14.2})
    assert procedure_key("tramite-7") == procedure_key("tramite-7")
    assert procedure_key("tramite-7") != procedure_key("tramite-8")
    assert len(procedure_key("x" * 5000)) == len(procedure_key("tramite-7")) == 29
    # The same row twice (a forged page) gives one suggestion; another row, its own.
    other = times({2025: 14.2}, row="tramite-8", name="Otro trámite")
    found = suggest(basis(procedures=(slow, slow, other)))
    assert [s.procedure for s in found] == ["Certificado de antecedentes", "Otro trámite"]


# --- Order, formatting, pending ------------------------------------------------------------


def test_suggestions_come_in_the_order_of_the_measures_then_the_procedures() -> None:
    found = suggest(
        basis(
            {2023: GOOD_2023, 2024: complaints(1600, 1320, 10.5, 150)},
            saip_years={2024: saip(660, 655, 11.8, 340, 500, 640, 15)},
            procedures=(times({2025: 14.2}),),
        )
    )
    assert [s.key for s in found] == [
        "sugerida-reclamos_respondidos",
        "sugerida-saip_fuera_de_plazo",
        procedure_key("tramite-7"),
    ]


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (82.5, "%", "82,5 %"),
        (95, "%", "95,0 %"),
        (0.05, "%", "0,1 %"),  # half up, as Excel's ROUND
        (2.25, "días hábiles", "2,3 días hábiles"),
        (1234.56, "días hábiles", "1.234,6 días hábiles"),
        (1234567.0, "", "1.234.567,0"),
    ],
)
def test_values_are_shown_in_es_cl_with_one_decimal(value: float, unit: str, text: str) -> None:
    assert shown(value, unit) == text


def test_a_measure_without_its_own_phrase_is_named_by_its_label() -> None:
    measure = Measure("nuevo", "complaints", "mean_days", "Tiempo nuevo", "días", Better.LOWER)
    found = measure_suggestion(measure, basis({2023: GOOD_2023, 2024: complaints(1, 1, 12.0, 0)}))
    assert found is not None
    assert found.description == (
        "En 2024 el indicador «Tiempo nuevo» fue 12,0 días; el año anterior (2023) fue 11,2 días."
    )


def test_the_gap_row_of_a_suggestion_leaves_causes_and_priority_to_the_coordinator() -> None:
    found = only(suggest(basis(procedures=(times({2025: 14.2}),))))
    assert found.gap_row() == {
        "key": procedure_key("tramite-7"),
        "dimension": "tramite",
        "procedure": "Certificado de antecedentes",
        "description": found.description,
        "current_value": "14,2 días hábiles",
        "expected_value": "10,0 días hábiles",
        "causes": "",
        "priority": "",
    }


def test_pending_leaves_out_the_accepted_and_the_dismissed() -> None:
    found = suggest(
        basis(
            {2023: GOOD_2023, 2024: complaints(1600, 1320, 10.5, 150)},
            saip_years={2024: saip(660, 655, 11.8, 340, 500, 640, 15)},
            procedures=(times({2025: 14.2}),),
        )
    )
    keys = [s.key for s in found]
    gaps = [{"key": keys[0], "description": "Aceptada"}, {"key": None}, {"key": "a1b2c3"}]
    assert [s.key for s in pending(found, gaps, {keys[2]})] == [keys[1]]
    # The accepted gap removed: pending again.
    assert [s.key for s in pending(found, gaps[1:], {keys[2]})] == keys[:2]


# --- Loading from the database -------------------------------------------------------------


def test_the_latest_target_of_each_measure_up_to_the_cycle(app: Flask) -> None:
    institution = create_institution("1306")
    old, cycle = create_cycle(2024, current=False), create_cycle(2025)
    later = create_cycle(2026, current=False)
    add_targets(institution, old, complaints_answered_pct=90.0, saip_late_pct=2.5)
    add_targets(institution, cycle, complaints_answered_pct=95.0)
    add_targets(institution, later, complaints_answered_pct=99.0, saip_late_pct=0.0)
    add_targets(create_institution(), cycle, saip_late_pct=1.0)
    assert latest_targets(institution, cycle) == {
        "complaints_answered_pct": Target(2025, 95.0),
        "saip_late_pct": Target(2024, 2.5),
    }


def test_the_targets_are_kept_until_an_import_changes_them(app: Flask) -> None:
    institution = create_institution("1306")
    cycle = create_cycle(2025)
    add_targets(institution, cycle, complaints_answered_pct=95.0)
    with counting_queries() as reading:
        first = latest_targets(institution, cycle)
    add_figures(create_institution(), 2024)  # an import of figures: the targets are kept
    with counting_queries() as keeping:
        assert latest_targets(institution, cycle) == first
    assert [s for s in reading if "cycle_targets" in s]
    assert not [s for s in keeping if "cycle_targets" in s]
    add_targets(institution, create_cycle(2024, current=False), saip_late_pct=2.5)
    assert latest_targets(institution, cycle) == first | {"saip_late_pct": Target(2024, 2.5)}


def test_the_pending_suggestions_are_worked_out_once_for_the_same_content(app: Flask) -> None:
    institution = create_institution("1306")
    cycle = create_cycle(2026)
    add_figures(institution, 2024)
    add_targets(institution, cycle, complaints_answered_pct=99.0)
    content = evaluate(diagnostic_draft(), institution, complete=False).content
    context, history = SubmissionContext(institution, cycle), history_before(institution.id, 2025)
    first = pending_suggestions(context, content, history)
    assert first
    with counting_queries() as keeping:
        assert pending_suggestions(context, content, history) == first
    assert keeping == []  # not even the dismissed ones

    accepted = {**content, "gaps": [first[0].gap_row()]}  # other content: worked out again
    again = pending_suggestions(context, accepted, history)
    assert [s.key for s in again] == [s.key for s in first[1:]]


def test_the_basis_holds_the_history_the_typed_year_and_the_stage_peers(app: Flask) -> None:
    institution = create_institution("1306", stage=Stage.STAGE_2)
    cycle = create_cycle(2026)
    add_figures(institution, 2024, answered=1100)
    same_stage = [create_institution(stage=Stage.STAGE_2) for _ in range(2)]
    other_stage = create_institution(stage=Stage.STAGE_3)
    for peer in (*same_stage, other_stage):
        add_figures(peer, 2025)
    add_figures(institution, 2025, answered=1)  # the typed reference year comes first
    add_procedure(institution, "Certificado de antecedentes", {2024: {"mean": 9.5}})
    content = evaluate(diagnostic_draft(), institution, complete=False).content
    content["procedures"][0]["name"] = "Certificado de antecedentes"
    content["procedures"][0]["key"] = "tramite-1"

    found = load_basis(institution, cycle, content, history_before(institution.id, 2025))

    assert found.peer_group == "su etapa (Etapa 2)"
    assert sorted(found.figures) == ["complaints", "saip"]
    assert found.figures["complaints"][2025] == content["complaints"]
    assert found.figures["complaints"][2024].answered == 1100
    assert sorted(found.peers) == [2025]
    assert set(found.peers[2025]["reclamos_respondidos"].by_institution) == {
        institution.id,
        *(peer.id for peer in same_stage),
    }
    assert found.procedures == (
        ProcedureTimes(
            "tramite-1", "Certificado de antecedentes", 10.0, "días hábiles", {2024: 9.5, 2025: 9.2}
        ),
        ProcedureTimes(
            "Trámite de prueba 2", "Trámite de prueba 2", 10.0, "días hábiles", {2025: 9.2}
        ),
    )


def test_the_stage_peers_are_kept_until_the_history_or_the_institutions_change(
    app: Flask,
) -> None:
    institution = create_institution("1306", stage=Stage.STAGE_2)
    cycle = create_cycle(2026)
    add_figures(create_institution(stage=Stage.STAGE_2), 2025)
    content = evaluate(diagnostic_draft(), institution, complete=False).content
    content["complaints"]["received"] = 90

    def peers() -> tuple[set[int], int]:
        with counting_queries() as statements:
            basis = load_basis(institution, cycle, content, history_before(institution.id, 2025))
        return set(basis.peers[2025]["reclamos_respondidos"].by_institution), len(statements)

    first, computing = peers()
    create_cycle(2027, current=False)  # a write elsewhere: the peers are kept
    again, keeping = peers()
    assert again == first and keeping < computing
    newcomer = create_institution(stage=Stage.STAGE_2)
    add_figures(newcomer, 2025)  # an import: read again
    found, _ = peers()
    assert found == first | {newcomer.id}


def test_the_basis_of_a_saip_stage_institution_has_no_complaints_nor_procedures(
    app: Flask,
) -> None:
    institution = create_institution("2001", stage=Stage.SAIP)
    cycle = create_cycle(2026)
    add_figures(institution, 2024)
    content = evaluate(diagnostic_draft(), institution, complete=False).content
    found = load_basis(institution, cycle, content, history_before(institution.id, 2025))
    assert sorted(found.figures) == ["saip"]
    assert found.procedures == ()
    assert found.peer_group == "su etapa (SAIP)"
