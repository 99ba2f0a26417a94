"""``flask pmg send-reminders`` and ``flask pmg send-mail``: for a daily and a frequent cron."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from pmg.cycles.queries import chile_today
from pmg.extensions import db
from pmg.notifications.operations import send_pending, send_reminders

DEFAULT_REMINDER_DAYS = 3
DEFAULT_BATCH = 100

_batch_option = click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=DEFAULT_BATCH,
    show_default=True,
    help="Máximo de correos que se intentan enviar en esta ejecución.",
)


@click.command("send-reminders")
@click.option(
    "--days",
    type=click.IntRange(min=0),
    default=DEFAULT_REMINDER_DAYS,
    show_default=True,
    help="Recordar los plazos que vencen entre hoy y dentro de estos días.",
)
@_batch_option
@with_appcontext
def send_reminders_command(days: int, limit: int) -> None:
    """Prepara recordatorios de plazos próximos y envía el correo pendiente.

    Recuerda a los coordinadores los plazos de envío del diagnóstico y del plan de mejora
    del ciclo vigente que aún no han enviado, y los plazos de corrección de observaciones.
    Cada recordatorio se prepara una sola vez por persona y plazo.
    """
    queued = send_reminders(chile_today(), days)
    db.session.commit()
    report = send_pending(limit)
    click.echo(f"Recordatorios nuevos: {queued}. {report}")


@click.command("send-mail")
@_batch_option
@with_appcontext
def send_mail_command(limit: int) -> None:
    """Envía (o reintenta) el correo pendiente de la bandeja de salida.

    Prográmelo en cron cada minuto: es lo que envía los avisos. Si el servidor de correo no
    responde, se detiene y la próxima ejecución reintenta.
    """
    click.echo(str(send_pending(limit)))
