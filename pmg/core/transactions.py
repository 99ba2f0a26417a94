"""The one way web code runs a state change: ``with transaction(...) as outcome``.

Operations flush but never commit; the route (or a page helper) runs them inside
:func:`transaction`, which commits when the block ends normally and rolls back on any
exception. A refusal of the kind the route asked for (a :class:`DomainError` subclass) is
kept on the outcome instead of raised, so the route can show its message where it belongs
(the field, a flash, the form's problems)::

    with transaction(DomainError) as outcome:
        operations.update_user(user, ...)
    if outcome.refusal is not None:
        form.email.errors = [outcome.refusal.message]

Any other exception propagates once the session is rolled back: the error handlers of
:mod:`pmg.core.errors` then render the page on a clean session. Command-line commands and
the few operations that own a sub-transaction (mail sent one by one, a flush that must
read the row another transaction left) commit or roll back themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, overload

from pmg.core.errors import DomainError
from pmg.extensions import db

E = TypeVar("E", bound=DomainError)


@dataclass
class Outcome(Generic[E]):
    """How a transaction ended: ``refusal`` is the domain error that undid it, if any."""

    refusal: E | None = None


@overload
def transaction(
    *, savepoint: bool = False, commit_refused: bool = False
) -> AbstractContextManager[Outcome[DomainError]]: ...


@overload
def transaction(
    refuses: type[E], *, savepoint: bool = False, commit_refused: bool = False
) -> AbstractContextManager[Outcome[E]]: ...


def transaction(
    refuses: type[DomainError] | None = None,
    *,
    savepoint: bool = False,
    commit_refused: bool = False,
) -> AbstractContextManager[Outcome[Any]]:
    """Commit the block's changes, or roll them back on any exception.

    ``refuses``: the kind of :class:`DomainError` kept on ``outcome.refusal`` instead of
    raised; without it, every exception propagates. ``savepoint``: run the block in a
    savepoint of the current transaction, which the enclosing one commits later (a refused
    file leaves the draft saved with it). ``commit_refused``: commit what the block flushed
    even when refused, for a refusal that leaves a record (a failed login counts toward the
    throttle).
    """
    return _transaction(refuses, savepoint=savepoint, commit_refused=commit_refused)


@contextmanager
def _transaction(
    refuses: type[DomainError] | None, *, savepoint: bool, commit_refused: bool
) -> Iterator[Outcome[DomainError]]:
    outcome: Outcome[DomainError] = Outcome()
    current = db.session.begin_nested() if savepoint else db.session
    try:
        yield outcome
    except Exception as error:
        if refuses is None or not isinstance(error, refuses):
            current.rollback()
            raise
        outcome.refusal = error
        if not commit_refused:
            current.rollback()
            return
    try:
        current.commit()
    except Exception:
        current.rollback()
        raise
