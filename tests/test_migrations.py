"""The schema comes from migrations alone, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import column, insert, inspect, select, table, text
from sqlalchemy.exc import IntegrityError

from pmg.core.permissions import Role
from pmg.cycles.models import Cycle
from pmg.extensions import db
from pmg.review.operations import take
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    create_user,
    load_starting_catalog,
)


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_migrations_build_the_schema_from_empty_and_match_the_models(app: Flask) -> None:
    db.session.remove()
    downgrade(revision="base")
    assert _tables() == set()
    upgrade()
    assert _tables() == set(db.metadata.tables)
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        assert compare_metadata(context, db.metadata) == []


def test_migration_0008_fills_the_search_text_of_existing_rows(app: Flask) -> None:
    db.session.remove()
    downgrade(revision="0007")
    with db.engine.begin() as connection:
        connection.execute(text("INSERT INTO ministries (id, name) VALUES (1, 'MINISTERIO')"))
        connection.execute(
            text(
                "INSERT INTO institutions (code, name, ministry_id, stage, commits_system,"
                " mesu, category, active) VALUES ('2501', 'DEFENSORÍA DE LA  NIÑEZ', 1,"
                " 'etapa_3', :yes, 'no', 'servicios_generales', :yes)"
            ),
            {"yes": True},
        )
        connection.execute(
            text(
                "INSERT INTO users (email, name, role, password_hash, active, session_token,"
                " created_at, password_changed_at) VALUES ('anunez@dipres.gob.cl',"
                " 'Andrés Núñez', 'dipres', 'x', :yes, 't', :now, :now)"
            ),
            {"yes": True, "now": datetime(2026, 12, 1)},
        )
    upgrade()
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT name, search_text FROM institutions")).all() == [
            ("DEFENSORÍA DE LA  NIÑEZ", "2501\ndefensoria de la ninez")
        ]
        assert connection.execute(text("SELECT name, search_text FROM users")).all() == [
            ("Andrés Núñez", "andres nunez\nanunez@dipres.gob.cl")
        ]


def test_migration_0007_gives_existing_cycles_their_calendar_year_to_execute_plans(
    app: Flask,
) -> None:
    db.session.remove()
    downgrade(revision="0006")
    windows = {
        f"{kind}_{end}": date(2026, month, 1)
        for month, kind in enumerate(("diagnostic", "plan", "review", "correction", "close"), 3)
        for end in ("start", "end")
    }
    values = {"year": 2026, "reference_year": 2025, "is_current": False, **windows}
    cycles = table("cycles", *(column(name) for name in values))  # as 0006 left it
    with db.engine.begin() as connection:
        connection.execute(insert(cycles).values(values))
    upgrade()
    cycle = db.session.scalar(select(Cycle))
    assert cycle.execution_period == (date(2026, 1, 1), date(2026, 12, 31))


RETURN_ROW = text(
    "INSERT INTO state_changes (submission_id, version_number, action, from_state, to_state,"
    " actor_id, at, note) VALUES (:submission, 1, 'return', 'resubmitted', 'in_review', :actor,"
    " CURRENT_TIMESTAMP, '')"
)


def test_migration_0013_gives_verdicts_no_path_and_the_history_its_return(app: Flask) -> None:
    cycle = create_cycle()
    load_starting_catalog(cycle)
    version = create_submitted_diagnostic(create_institution("1306"), cycle)
    reviewer = create_user(Role.REVIEWER)
    take(version.submission, reviewer, version.submission.lock_version)
    db.session.commit()
    ids = {"submission": version.submission_id, "actor": version.submitted_by_id}
    db.session.remove()
    downgrade(revision="0012")
    assert "path" not in {column["name"] for column in inspect(db.engine).get_columns("verdicts")}
    with pytest.raises(IntegrityError), db.engine.begin() as connection:
        connection.execute(RETURN_ROW, ids)  # 0012 has no word for it
    upgrade()
    with db.engine.begin() as connection:
        paths = connection.execute(text("SELECT path FROM verdicts")).scalars().all()
        connection.execute(RETURN_ROW, ids)
        actions = connection.execute(text("SELECT action FROM state_changes ORDER BY id"))
        assert actions.scalars().all() == ["submit", "take", "return"]
    assert len(paths) == 5 and set(paths) == {""}
