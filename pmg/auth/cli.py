from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from pmg.auth import operations
from pmg.core.errors import DomainError
from pmg.core.permissions import Role
from pmg.extensions import db
from pmg.institutions.queries import institutions_by_codes


@click.command("create-user")
@click.option("--email", required=True, help="Correo de la cuenta.")
@click.option("--name", default="", help="Nombre completo (por defecto, el correo).")
@click.option(
    "--role", required=True, type=click.Choice([role.value for role in Role]), help="Rol."
)
@click.option(
    "--institution",
    "institution_codes",
    multiple=True,
    help="Código de institución (repetible; obligatorio para coordinadores).",
)
@with_appcontext
def create_user_command(
    email: str, name: str, role: str, institution_codes: tuple[str, ...]
) -> None:
    """Crea una cuenta. La contraseña se pide en pantalla o se lee de la entrada estándar."""
    if sys.stdin.isatty():
        password = click.prompt("Contraseña", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        institutions = institutions_by_codes(institution_codes)
        user = operations.create_user(
            email=email,
            name=name or email,
            role=Role(role),
            password=password,
            institutions=institutions,
        )
    except DomainError as refused:
        db.session.rollback()
        raise click.ClickException(refused.message) from refused
    db.session.commit()
    click.echo(f"Cuenta creada: {user.email} ({user.role.label})")
