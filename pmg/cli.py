"""The ``flask pmg`` command group; each domain adds its commands in its ``cli.py``."""

from flask.cli import AppGroup

from pmg.api.cli import create_token_command
from pmg.audit.cli import verify_audit_command
from pmg.auth.cli import create_user_command
from pmg.core.cli import worker_command
from pmg.demo.cli import demo_command
from pmg.exports.cli import export_consolidated_command
from pmg.indicators.cli import import_indicators_command
from pmg.institutions.cli import import_institutions_command
from pmg.notifications.cli import send_mail_command, send_reminders_command
from pmg.packages.cli import export_package_command, purge_packages_command
from pmg.requirements.cli import load_requirements_command

pmg_cli = AppGroup("pmg", help="Comandos de PMG CSEU.")
for command in (
    create_user_command,
    create_token_command,
    import_institutions_command,
    import_indicators_command,
    export_consolidated_command,
    export_package_command,
    purge_packages_command,
    demo_command,
    verify_audit_command,
    send_reminders_command,
    send_mail_command,
    load_requirements_command,
    worker_command,
):
    pmg_cli.add_command(command)
