"""``flask pmg create-token``: an API token for an account, printed once."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from pmg.api.operations import DEFAULT_DAYS, issue_token
from pmg.auth.models import User
from pmg.auth.operations import normalize_email
from pmg.core.errors import DomainError
from pmg.extensions import db


@click.command("create-token")
@click.option("--email", required=True, help="Correo de la cuenta.")
@click.option("--days", default=DEFAULT_DAYS, show_default=True, type=int, help="Días de vigencia.")
@click.option("--name", default="Línea de comandos", show_default=True, help="Nombre del token.")
@with_appcontext
def create_token_command(email: str, days: int, name: str) -> None:
    """Crea un token de la API para una cuenta y lo imprime una sola vez."""
    user = db.session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None:
        raise click.ClickException(f"No existe una cuenta con el correo {email}.")
    try:
        issued = issue_token(user, name, days, actor=None)
    except DomainError as refused:
        db.session.rollback()
        raise click.ClickException(refused.message) from refused
    db.session.commit()
    click.echo(issued.secret)
    click.echo(
        f"Token «{issued.token.name}» de {user.email}, vence el "
        f"{issued.token.expires_at:%Y-%m-%d %H:%M} UTC. No se volverá a mostrar.",
        err=True,
    )
