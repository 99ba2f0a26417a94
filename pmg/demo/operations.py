"""Demo data: the shipped catalog, a cycle whose windows are open today, the indicator
history of the coordinator's institutions, one account per role, and the cycle's work in
flight (:mod:`pmg.demo.work`): something to do in every workspace.

Running it again is safe: the catalog import is keyed by code, the cycle of the
year is reopened, the accounts are reset with new passwords, and the work in flight is
made only for institutions with nothing in the cycle yet. Flushes only; the CLI command
commits.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from pmg.auth.models import User
from pmg.core.permissions import Role
from pmg.cycles.models import Cycle, WindowKind
from pmg.cycles.operations import create_cycle, set_current_cycle, update_cycle
from pmg.cycles.queries import get_cycle
from pmg.demo.accounts import AccountSpec, demo_user
from pmg.demo.history import load_demo_history
from pmg.demo.summary import what_to_try
from pmg.demo.work import load_work
from pmg.institutions.importer import import_catalog
from pmg.institutions.models import Institution
from pmg.institutions.queries import institutions_by_codes
from pmg.requirements.catalog import starting_catalog_text
from pmg.requirements.operations import load_catalog

CATALOG = Path(__file__).parent / "data" / "categorizacion_sistema_cseu_2025.xlsx"
# Comisión Nacional de Riego and Instituto de Desarrollo Agropecuario (Ministerio de Agricultura).
COORDINATOR_INSTITUTIONS = ("1306", "1303")
PASSWORD_LENGTH = 16
# Without look-alikes (0/O, 1/l/I) so a password read off the terminal is typed right.
PASSWORD_ALPHABET = "".join(
    char for char in string.ascii_letters + string.digits if char not in "0O1lI"
)


ACCOUNTS = (
    AccountSpec(Role.ADMIN, "admin@demo.pmg.cl", "Administración Demo"),
    AccountSpec(Role.REVIEWER, "revisor@demo.pmg.cl", "Revisora Demo"),
    AccountSpec(Role.DIPRES, "dipres@demo.pmg.cl", "Analista DIPRES Demo"),
    AccountSpec(Role.COORDINATOR, "coordinador@demo.pmg.cl", "Coordinador Demo"),
)


@dataclass(frozen=True)
class DemoAccount:
    role: Role
    email: str
    password: str
    institutions: tuple[Institution, ...] = ()


@dataclass(frozen=True)
class DemoResult:
    catalog_summary: str
    cycle: Cycle
    accounts: tuple[DemoAccount, ...]
    requirements_version: str
    history: tuple[str, ...]  # what each indicator import read
    to_try: tuple[str, ...]  # what waits for the reviewer and the coordinator


def new_password() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))


def demo_execution(today: date) -> tuple[date, date]:
    """The plan's execution period: from a month ago to eight months ahead, so a first plan
    with actions in the coming months is accepted."""
    return today - timedelta(days=30), today + timedelta(days=240)


def demo_windows(today: date) -> dict[WindowKind, tuple[date, date]]:
    """Windows around ``today``: submission, review and correction open; the close at the
    end of the plan's execution."""
    open_from, open_to = today - timedelta(days=30), today + timedelta(days=60)
    execution_end = demo_execution(today)[1]
    return {
        WindowKind.DIAGNOSTIC: (open_from, open_to),
        WindowKind.PLAN: (open_from, open_to),
        WindowKind.REVIEW: (open_from, today + timedelta(days=75)),
        WindowKind.CORRECTION: (open_from, today + timedelta(days=75)),
        WindowKind.CLOSE: (execution_end - timedelta(days=14), execution_end),
    }


def open_demo_cycle(today: date) -> Cycle:
    """The cycle of ``today``'s year, created or reopened, and made current."""
    year, windows, execution = today.year, demo_windows(today), demo_execution(today)
    cycle = get_cycle(year)
    if cycle is None:
        return create_cycle(
            year, reference_year=year - 1, windows=windows, execution=execution, make_current=True
        )
    update_cycle(cycle, year=year, reference_year=year - 1, windows=windows, execution=execution)
    set_current_cycle(cycle)
    return cycle


def reset_account(spec: AccountSpec, institutions: list[Institution]) -> tuple[DemoAccount, User]:
    """Create the account or bring it back to its demo state, with a new password."""
    password = new_password()
    user = demo_user(spec, institutions, password)
    linked = tuple(institutions) if spec.role is Role.COORDINATOR else ()
    return DemoAccount(spec.role, user.email, password, linked), user


def load_demo(today: date) -> DemoResult:
    catalog = import_catalog(CATALOG.read_bytes())
    cycle = open_demo_cycle(today)
    requirements = load_catalog(cycle, starting_catalog_text(), actor=None)
    institutions = institutions_by_codes(COORDINATOR_INSTITUTIONS)
    history = tuple(load_demo_history(cycle, institutions))
    reset = [reset_account(spec, institutions) for spec in ACCOUNTS]
    users = {account.role: user for account, user in reset}
    reviewer, coordinator = users[Role.REVIEWER], users[Role.COORDINATOR]
    load_work(cycle, today, reviewer, coordinator)
    return DemoResult(
        catalog.summary,
        cycle,
        tuple(account for account, _ in reset),
        requirements.catalog.version,
        history,
        what_to_try(cycle, today, reviewer, coordinator, institutions),
    )
