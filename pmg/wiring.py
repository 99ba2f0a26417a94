"""How the layers are connected: what the higher packages register with the lower ones.

A lower layer never imports a higher one (see ``[tool.importlinter]`` in pyproject.toml);
it offers a registry or a signal, and the higher package fills it or subscribes when it is
imported here. The application factory calls :func:`connect` once per application;
importing a module twice registers nothing twice, and connecting a receiver twice keeps one.
"""

from __future__ import annotations

from flask import Flask


def connect(app: Flask) -> None:
    """Register the kinds of submission, the audit trail's names and labels, the panels of
    the institution page and the receivers of the domain signals."""
    # Registries: each module registers its entries when imported.
    from pmg.api import audit_names as api_names  # noqa: F401
    from pmg.api.operations import may_hold_token
    from pmg.auth import audit_names as auth_names  # noqa: F401
    from pmg.cycles import audit_names as cycle_names  # noqa: F401
    from pmg.diagnostics import kind as diagnostic_kind  # noqa: F401
    from pmg.evidence import audit_names as evidence_names  # noqa: F401
    from pmg.evidence.operations import subscribe as subscribe_evidence
    from pmg.exports.documents import version_document
    from pmg.exports.documents.stored import subscribe as subscribe_stored_pdfs
    from pmg.institutions import audit_names as institution_names  # noqa: F401
    from pmg.notifications.accounts import subscribe as subscribe_account_mail
    from pmg.notifications.operations import subscribe as subscribe_notifications
    from pmg.packages import audit_names as package_names  # noqa: F401
    from pmg.packages import operations as package_jobs  # noqa: F401  (declares its jobs)
    from pmg.plans import kind as plan_kind  # noqa: F401
    from pmg.requirements import audit_names as requirement_names  # noqa: F401
    from pmg.requirements.operations import subscribe as subscribe_requirements
    from pmg.review import audit_names as review_names  # noqa: F401
    from pmg.review.content import show_content_with
    from pmg.review.operations import subscribe as subscribe_review
    from pmg.submission_pages import panels as submission_panels  # noqa: F401
    from pmg.submissions import audit_names as submission_names  # noqa: F401
    from pmg.submissions.kinds import kind_converter
    from pmg.workspace import panels as workspace_panels  # noqa: F401
    from pmg.workspace.navigation import navigation_context

    # isort: split
    # An institution's page shows its panels in the order imported: the history's charts
    # after the cycle's work.
    from pmg.indicators import panels as indicator_panels  # noqa: F401

    # URLs name a kind by its slug, once the kinds are registered: <kind:slug>.
    app.url_map.converters["kind"] = kind_converter()
    # Whether the header links to the account's API tokens (templates/base.html).
    app.jinja_env.globals["may_hold_token"] = may_hold_token
    # Every page's breadcrumbs (templates/base.html).
    app.context_processor(navigation_context)
    # The review page shows the version's content as its page and PDF do.
    show_content_with(version_document)
    # Signals: mail on transitions, the files and the catalog of a new version, the
    # answers a resubmission waits for, its return to its reviewer, and the PDFs stored.
    for subscribe in (
        subscribe_account_mail,  # mail with each link to set a password
        subscribe_evidence,
        subscribe_notifications,
        subscribe_requirements,
        subscribe_review,
        subscribe_stored_pdfs,  # each version's PDF stored again once what it shows changed
    ):
        subscribe()
