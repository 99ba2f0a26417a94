"""Which versions a package holds (those of a cycle that a :class:`Selection` chooses), and
which packages a person sees."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import abort
from sqlalchemy import Select, func, select
from sqlalchemy.orm import contains_eager, defer, joinedload

from pmg.auth.models import User
from pmg.core.permissions import Role
from pmg.cycles.models import Cycle
from pmg.evidence.models import EvidenceFile
from pmg.exports.workbook.queries import code_order
from pmg.extensions import db
from pmg.institutions.models import Institution, Ministry, Stage
from pmg.packages.models import EvidencePackage
from pmg.submissions.models import Submission, SubmissionKind, SubmissionState, SubmissionVersion
from pmg.submissions.queries import joined_to_latest_version


@dataclass(frozen=True)
class Selection:
    """What a package holds: the versions of the cycle ``cycle_year`` of the institutions of
    ``ministry`` (its name, as the catalog writes it) and
    ``stage``, of submissions of ``kind`` in ``state``; each submission's latest version, or
    all of them. ``None`` chooses every one."""

    cycle_year: int
    ministry: str | None = None
    stage: Stage | None = None
    kind: SubmissionKind | None = None
    state: SubmissionState | None = None
    all_versions: bool = False

    def values(self) -> dict[str, Any]:
        """As a package's row keeps it: plain values, without the cycle."""
        return {
            "ministry": self.ministry,
            "stage": self.stage.value if self.stage else None,
            "kind": self.kind.value if self.kind else None,
            "state": self.state.value if self.state else None,
            "all_versions": self.all_versions,
        }

    @classmethod
    def of(cls, cycle_year: int, values: dict[str, Any]) -> Selection:
        """The selection kept as :meth:`values` for the cycle ``cycle_year``."""
        return cls(
            cycle_year=cycle_year,
            ministry=values["ministry"],
            stage=Stage(values["stage"]) if values["stage"] else None,
            kind=SubmissionKind(values["kind"]) if values["kind"] else None,
            state=SubmissionState(values["state"]) if values["state"] else None,
            all_versions=values["all_versions"],
        )

    def described(self) -> dict[str, Any]:
        """As the manifest and the audit trail write it."""
        return {
            "ciclo": self.cycle_year,
            "ministerio": self.ministry,
            "etapa": self.stage.label if self.stage else None,
            "tipo": self.kind.label if self.kind else None,
            "estado": self.state.label if self.state else None,
            "versiones": "todas" if self.all_versions else "la última de cada envío",
        }


def packaged_versions(cycle: Cycle, selection: Selection) -> list[SubmissionVersion]:
    """The versions ``selection`` chooses in ``cycle``, with their submission and institution
    loaded (not the versions' warnings nor the submissions' drafts), by institution code (in
    natural order), kind and number."""
    query = _chosen(cycle, selection).options(
        defer(SubmissionVersion.warnings),
        contains_eager(SubmissionVersion.submission).options(
            defer(Submission.draft),
            defer(Submission.prefilled),
            contains_eager(Submission.institution).contains_eager(Institution.ministry),
        )
    )
    versions = list(db.session.scalars(query).unique())
    return sorted(
        versions,
        key=lambda version: (
            code_order(version.submission.institution.code),
            version.submission.kind.value,
            version.number,
        ),
    )


def count_packaged(cycle: Cycle, selection: Selection) -> int:
    """How many versions ``selection`` chooses in ``cycle``, counted in the database."""
    chosen = _chosen(cycle, selection).with_only_columns(SubmissionVersion.id).subquery()
    return db.session.scalar(select(func.count()).select_from(chosen)) or 0


def _chosen(cycle: Cycle, selection: Selection) -> Select[SubmissionVersion]:
    in_scope = Submission.cycle_id == cycle.id
    if selection.kind is not None:
        in_scope &= Submission.kind == selection.kind
    if selection.state is not None:
        in_scope &= Submission.state == selection.state
    query = select(SubmissionVersion)
    if selection.all_versions:
        query = query.join(SubmissionVersion.submission)
    else:
        over_submissions = select(SubmissionVersion).select_from(Submission)
        query = joined_to_latest_version(over_submissions, in_scope)
    query = query.join(Submission.institution).join(Institution.ministry).where(in_scope)
    if selection.ministry is not None:
        query = query.where(Ministry.name == selection.ministry)
    if selection.stage is not None:
        query = query.where(Institution.stage == selection.stage)
    return query


Listed = list[tuple[str, str, EvidenceFile | None]]


def evidence_of(versions: Sequence[SubmissionVersion]) -> dict[int, Listed]:
    """The evidence files each of ``versions`` lists, by version id (its content's manifest,
    in its order): the name and SHA-256 it lists each by, and the stored file of that
    SHA-256 (``None`` if missing: files are never removed from a version, so only damage
    loses one). In one query, however many versions there are."""
    files = {
        (evidence.submission_id, evidence.sha256): evidence
        for evidence in db.session.scalars(
            select(EvidenceFile).where(
                EvidenceFile.submission_id.in_({version.submission_id for version in versions})
            )
        )
    }
    return {
        version.id: [
            (entry["name"], entry["sha256"], files.get((version.submission_id, entry["sha256"])))
            for entry in version.content.get("evidence", [])
        ]
        for version in versions
    }


LISTED = 100  # the latest packages a page lists


def visible_packages(user: User) -> list[EvidencePackage]:
    """The latest packages ``user`` asked for (every one's, for an admin), newest first."""
    query = select(EvidencePackage).options(
        joinedload(EvidencePackage.cycle), joinedload(EvidencePackage.requested_by)
    )
    if user.role is not Role.ADMIN:
        query = query.where(EvidencePackage.requested_by_id == user.id)
    return list(db.session.scalars(query.order_by(EvidencePackage.id.desc()).limit(LISTED)))


def get_visible_package(user: User, package_id: int) -> EvidencePackage:
    """The package ``package_id`` if ``user`` asked for it or is an admin; 404 otherwise."""
    package = db.session.get(EvidencePackage, package_id)
    if package is None or (
        user.role is not Role.ADMIN and package.requested_by_id != user.id
    ):
        abort(404)
    return package
