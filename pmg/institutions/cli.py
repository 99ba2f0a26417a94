import click

@click.command("import-institutions")
def import_institutions_command() -> None:
    """placeholder"""
