from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from pmg.extensions import db
from pmg.indicators.measures import BY_KEY, MEASURES
from pmg.indicators.models import ComplaintFigures, SaipFigures
from pmg.indicators.peers import (
    PeerValues,
    Placement,
    place_among,
    place_in_order,
    values_of,
    year_values,
)
from tests.exports.queries import counting_queries
from tests.factories import create_institution

ANSWERED = BY_KEY["reclamos_respondidos"]  # higher is better
MEAN_DAYS = BY_KEY["reclamos_tiempo_promedio"]  # lower is better
SAIP_LATE = BY_KEY["saip_fuera_de_plazo"]  # lower is better
SAIP_10 = BY_KEY["saip_en_10_dias"]  # higher is better

# % of complaints answered in one ministry: two at 100 %, one that reported nothing.
# Cuts (quartiles of 64,3 87,5 91 98,2 100 100): 81,7 · 94,6 · 100.
MINISTRY_ANSWERED = (100.0, 98.2, 100.0, 87.5, 64.3, None, 91.0)
# Mean response days in one stage; cuts 6,85 · 12 · 21,05.
STAGE_DAYS = (8.5, 12.0, 12.0, 5.2, 30.1)


@pytest.mark.parametrize(
    ("measure", "value", "peers", "rank", "count", "median", "quartile", "worst_cut"),
    [
        # Higher is better: ties share the better rank, a missing value is no peer.
        (ANSWERED, 100.0, MINISTRY_ANSWERED, 1, 6, 94.6, 1, 81.7),
        (ANSWERED, 98.2, MINISTRY_ANSWERED, 3, 6, 94.6, 2, 81.7),
        (ANSWERED, 91.0, MINISTRY_ANSWERED, 4, 6, 94.6, 3, 81.7),
        (ANSWERED, 87.5, MINISTRY_ANSWERED, 5, 6, 94.6, 3, 81.7),
        (ANSWERED, 64.3, MINISTRY_ANSWERED, 6, 6, 94.6, 4, 81.7),
        # Lower is better; a value on a cut belongs to the better side (12 on the median).
        (MEAN_DAYS, 5.2, STAGE_DAYS, 1, 5, 12.0, 1, 21.05),
        (MEAN_DAYS, 8.5, STAGE_DAYS, 2, 5, 12.0, 2, 21.05),
        (MEAN_DAYS, 12.0, STAGE_DAYS, 3, 5, 12.0, 2, 21.05),
        (MEAN_DAYS, 30.1, STAGE_DAYS, 5, 5, 12.0, 4, 21.05),
        # Four values, the fewest with quartiles, in both directions (cuts 1,25 · 2,5 · 3,75).
        (SAIP_LATE, 1.0, (4.0, 1.0, 3.0, 2.0), 1, 4, 2.5, 1, 3.75),
        (SAIP_LATE, 3.0, (4.0, 1.0, 3.0, 2.0), 3, 4, 2.5, 3, 3.75),
        (SAIP_LATE, 4.0, (4.0, 1.0, 3.0, 2.0), 4, 4, 2.5, 4, 3.75),
        (SAIP_10, 4.0, (4.0, 1.0, 3.0, 2.0), 1, 4, 2.5, 1, 1.25),
        (SAIP_10, 2.0, (4.0, 1.0, 3.0, 2.0), 3, 4, 2.5, 3, 1.25),
        (SAIP_10, 1.0, (4.0, 1.0, 3.0, 2.0), 4, 4, 2.5, 4, 1.25),
        # Everyone the same: all first, nobody in the worst quarter.
        (ANSWERED, 100.0, (100.0, 100.0, 100.0, 100.0), 1, 4, 100.0, 1, 100.0),
        # Fewer than four values with a figure: rank and median, no quartile.
        (MEAN_DAYS, 7.0, (3.0, 7.0, None, 7.0), 2, 3, 7.0, None, None),
        (ANSWERED, 50.0, (50.0,), 1, 1, 50.0, None, None),
        (ANSWERED, 80.0, (80.0, None, None, None, 90.0), 2, 2, 85.0, None, None),
    ],
)
def test_place_among(
    measure: Any,
    value: float,
    peers: tuple[float | None, ...],
    rank: int,
    count: int,
    median: float,
    quartile: int | None,
    worst_cut: float | None,
) -> None:
    placement = place_among(measure, value, peers)

    assert placement == Placement(
        value=value,
        rank=rank,
        count=count,
        median=pytest.approx(median),  # type: ignore[arg-type]
        quartile=quartile,
        worst_cut=None if worst_cut is None else pytest.approx(worst_cut),  # type: ignore[arg-type]
        worst_quarter=quartile == 4,
    )


@pytest.mark.parametrize(
    ("days", "worst"),
    [
        ((3, 5, 5, 6, 8, 9, 9, 9, 12, 14, 21, 40), [14, 21, 40]),  # 3 of 12
        ((3, 5, 6, 8, 9, 12), [12]),  # 1 of 6: at most a quarter, never more
        ((3, 5, 6, 8, 9, 12, 14), [14]),  # 1 of 7
        ((3, 5, 6, 8, 9, 12, 14, 20), [14, 20]),  # 2 of 8
        ((3, 5, 6, 8, 12, 12), []),  # the worst value tied: on the cut
    ],
)
def test_worst_quarter_holds_at_most_a_quarter_of_the_peers(
    days: tuple[int, ...], worst: list[int]
) -> None:
    peers = [float(value) for value in days]

    found = [value for value in peers if place_among(MEAN_DAYS, value, peers).worst_quarter]

    assert found == [float(value) for value in worst]


@pytest.mark.parametrize("value", [99.0, 101.0, 12.0])  # between, above and below them all
def test_place_among_refuses_a_value_that_is_not_among_the_peers(value: float) -> None:
    with pytest.raises(ValueError, match="not among"):
        place_among(ANSWERED, value, (100.0, 98.2, None, 87.5))


def test_values_of_reads_a_diagnostic_section_and_leaves_out_what_is_not_computable() -> None:
    section = {"received": 16, "answered": 16, "mean_days": 12.4, "answered_within_10": 5}

    assert values_of("saip", section) == {
        "saip_respondidas": 100.0,
        "saip_en_10_dias": 31.3,  # 5 of 16, rounded half up
        "saip_tiempo_promedio": 12.4,
    }


def test_year_values_reads_that_year_of_the_history_without_values_not_reported(
    app: Flask,
) -> None:
    riego = create_institution("1306", "COMISION NACIONAL DE RIEGO")
    indap = create_institution("1302", "INSTITUTO DE DESARROLLO AGROPECUARIO")
    sag = create_institution("1303", "SERVICIO AGRICOLA Y GANADERO")
    db.session.add_all(
        [
            ComplaintFigures(
                institution=riego, year=2024, received=1250, answered=1200,
                mean_days=8.5, answered_over_20=90,
            ),
            ComplaintFigures(
                institution=indap, year=2024, received=None, answered=310,
                mean_days=None, answered_over_20=0,
            ),
            ComplaintFigures(
                institution=sag, year=2023, received=40, answered=40,
                mean_days=3.0, answered_over_20=0,
            ),
            SaipFigures(
                institution=riego, year=2024, received=16, answered=16, mean_days=12.4,
                answered_within_10=5, answered_within_15=9, answered_within_20=14,
                answered_over_20=2,
            ),
            SaipFigures(
                institution=sag, year=2024, received=0, answered=0, mean_days=None,
            ),
        ]
    )
    db.session.commit()

    with counting_queries() as statements:
        values = year_values(2024)

    assert len(statements) == 2
    assert values == {
        "reclamos_respondidos": {riego.id: 96.0},
        "reclamos_fuera_de_plazo": {riego.id: 7.5, indap.id: 0.0},
        "reclamos_tiempo_promedio": {riego.id: 8.5},
        "saip_respondidas": {riego.id: 100.0},
        "saip_en_10_dias": {riego.id: 31.3},
        "saip_en_15_dias": {riego.id: 56.3},
        "saip_en_20_dias": {riego.id: 87.5},
        "saip_fuera_de_plazo": {riego.id: 12.5},
        "saip_tiempo_promedio": {riego.id: 12.4},
    }
    assert set(values) == {measure.key for measure in MEASURES}


def test_peer_values_place_the_institutions_own_value_as_given() -> None:
    group = PeerValues.of({1: 5.0, 2: 3.0, 3: 5.0})

    assert group.in_order == (3.0, 5.0, 5.0)
    assert group.with_value(1, 9.0) == [3.0, 5.0, 9.0]  # in place of the one it has
    assert group.with_value(4, 4.0) == [3.0, 4.0, 5.0, 5.0]  # added
    assert group.in_order == (3.0, 5.0, 5.0)
    placed = place_in_order(MEAN_DAYS, 9.0, group.with_value(1, 9.0))
    assert placed == place_among(MEAN_DAYS, 9.0, [9.0, 3.0, 5.0])
