"""PMG CSEU: the application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask

from pmg.config import load_config
from pmg.core.routing import register_request_limits
from pmg.extensions import cache, csrf, db, login_manager, migrate


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the application. Reads configuration only; touches no database."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    app.config.from_mapping(load_config(app.instance_path, overrides))
    register_request_limits(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))
    cache.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)

    from pmg import models  # noqa: F401  (registers every model with the metadata)
    from pmg.api.routes import bp as api_tokens_bp
    from pmg.api.spec import register_api
    from pmg.audit.routes import bp as audit_bp
    from pmg.auth.routes import bp as auth_bp
    from pmg.auth.sessions import init_sessions
    from pmg.cli import pmg_cli
    from pmg.core.errors import register_error_handlers
    from pmg.core.filters import register_filters
    from pmg.core.security import register_security_headers
    from pmg.cycles.routes import bp as cycles_bp
    from pmg.dashboard.routes import bp as dashboard_bp
    from pmg.evidence.routes import bp as evidence_bp
    from pmg.exports.routes import bp as exports_bp
    from pmg.indicators.routes import bp as indicators_bp
    from pmg.institutions.routes import bp as institutions_bp
    from pmg.notifications.routes import bp as notifications_bp
    from pmg.packages.routes import bp as packages_bp
    from pmg.requirements.routes import bp as requirements_bp
    from pmg.review.routes import bp as review_bp
    from pmg.submission_pages.routes import bp as submissions_bp
    from pmg.wiring import connect
    from pmg.workspace.routes import bp as workspace_bp

    init_sessions(app)
    register_error_handlers(app)
    register_filters(app)
    register_security_headers(app)
    connect(app)  # the kinds, registries and signal receivers, before the routes
    for blueprint in (
        workspace_bp,
        auth_bp,
        dashboard_bp,
        institutions_bp,
        cycles_bp,
        indicators_bp,
        submissions_bp,
        evidence_bp,
        exports_bp,
        packages_bp,
        audit_bp,
        requirements_bp,
        review_bp,
        notifications_bp,
        api_tokens_bp,
    ):
        app.register_blueprint(blueprint)
    register_api(app)
    app.cli.add_command(pmg_cli)
    return app
