"""The one transaction boundary of web code, and the rule that keeps it the only one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from pmg.core.errors import Conflict, DomainError
from pmg.core.transactions import transaction
from pmg.cycles.operations import InvalidCycle
from pmg.extensions import db
from pmg.institutions.models import Ministry

PMG = Path(__file__).resolve().parents[2] / "pmg"


def _add(name: str) -> None:
    db.session.add(Ministry(name=name))
    db.session.flush()


def _saved() -> list[str]:
    """The ministries committed (anything not committed is dropped first)."""
    db.session.rollback()
    return list(db.session.scalars(select(Ministry.name).order_by(Ministry.name)))


def _visible() -> list[str]:
    """The ministries this session sees now: flushed but not rolled back ones too."""
    return list(db.session.scalars(select(Ministry.name).order_by(Ministry.name)))


def test_a_block_that_ends_normally_is_committed(app: Flask) -> None:
    with transaction(DomainError) as outcome:
        _add("GUARDADO")
    assert outcome.refusal is None
    assert _saved() == ["GUARDADO"]


def test_a_refusal_is_rolled_back_and_kept_on_the_outcome(app: Flask) -> None:
    refusal = Conflict("Otra persona modificó estos datos.")
    with transaction(DomainError) as outcome:
        _add("DESHECHO")
        raise refusal
    assert outcome.refusal is refusal
    assert _visible() == []


def test_a_refusal_of_another_kind_propagates_rolled_back(app: Flask) -> None:
    with pytest.raises(Conflict), transaction(InvalidCycle):
        _add("DESHECHO")
        raise Conflict("Otra persona modificó estos datos.")
    assert _visible() == []


@pytest.mark.parametrize("error", [RuntimeError("falla"), Conflict("rechazo")])
def test_without_refusals_every_error_propagates_rolled_back(app: Flask, error: Exception) -> None:
    with pytest.raises(type(error)), transaction():
        _add("DESHECHO")
        raise error
    assert _visible() == []


def test_an_unexpected_error_propagates_rolled_back(app: Flask) -> None:
    with pytest.raises(RuntimeError), transaction(DomainError):
        _add("DESHECHO")
        raise RuntimeError("falla")
    assert _visible() == []


def test_a_failed_commit_propagates_and_leaves_the_session_usable(app: Flask) -> None:
    _add("REPETIDO")
    db.session.commit()
    with pytest.raises(IntegrityError), transaction(DomainError):
        db.session.add(Ministry(name="REPETIDO"))  # flushed by the commit
    assert _visible() == ["REPETIDO"]


def test_commit_refused_keeps_what_the_refused_block_wrote(app: Flask) -> None:
    with transaction(DomainError, commit_refused=True) as outcome:
        _add("INTENTO FALLIDO")
        raise DomainError("Correo o contraseña incorrectos.")
    assert outcome.refusal is not None
    assert outcome.refusal.message == "Correo o contraseña incorrectos."
    assert _saved() == ["INTENTO FALLIDO"]


def test_a_refused_savepoint_undoes_only_its_own_changes(app: Flask) -> None:
    with transaction():
        _add("BORRADOR")
        with transaction(DomainError, savepoint=True) as inner:
            _add("ARCHIVO")
            raise DomainError("El archivo no es un PDF.")
    assert inner.refusal is not None
    assert _saved() == ["BORRADOR"]


def test_a_savepoint_is_committed_by_the_enclosing_transaction(app: Flask) -> None:
    with transaction():
        _add("BORRADOR")
        with transaction(DomainError, savepoint=True) as inner:
            _add("ARCHIVO")
        assert inner.refusal is None
    assert _saved() == ["ARCHIVO", "BORRADOR"]


def test_a_savepoint_goes_when_the_enclosing_transaction_fails(app: Flask) -> None:
    with pytest.raises(RuntimeError), transaction():
        _add("BORRADOR")
        with transaction(DomainError, savepoint=True):
            _add("ARCHIVO")
        raise RuntimeError("falla")
    assert _saved() == []


# --- The rule: nothing else in pmg commits or rolls back -------------------------------

ENDS_TRANSACTION = re.compile(r"\.(commit|rollback)\(")
# Besides every command-line module (``cli.py``, a command owns its transaction), the only
# places that end a transaction themselves, and why.
ALLOWED = {
    "core/transactions.py": "the boundary every route, page helper and hook goes through",
    "submissions/workflow.py": "flush_or_conflict rolls back to read who changed the row",
    "submissions/operations.py": "open_submission does the same when another request "
    "opened the submission first",
    "notifications/operations.py": "send_pending commits each mail as it goes, so no "
    "mail is sent twice",
    "packages/operations.py": "a package's worker commits each step as it goes (its claim, "
    "its progress, its end), so the page sees them, and rolls back one that lost its claim; "
    "resume_stalled commits to send its jobs",
}


def _ending_transactions() -> dict[str, list[int]]:
    """Each module of pmg that commits or rolls back, with the lines where it does."""
    found: dict[str, list[int]] = {}
    for path in sorted(PMG.rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        hits = [number for number, line in enumerate(lines, 1) if ENDS_TRANSACTION.search(line)]
        if hits:
            found[path.relative_to(PMG).as_posix()] = hits
    return found


def test_only_the_boundary_commands_and_named_operations_end_a_transaction() -> None:
    unexpected = {
        module: lines
        for module, lines in _ending_transactions().items()
        if module not in ALLOWED and Path(module).name != "cli.py"
    }
    assert unexpected == {}, "use pmg.core.transactions.transaction() instead"


def test_every_allowed_module_still_ends_a_transaction() -> None:
    assert set(ALLOWED) <= set(_ending_transactions())
