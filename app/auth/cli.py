"""Operator commands: `flask users …` and `flask tokens …`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..errors import DomainError
from ..extensions import db
from . import service
from .actors import CLI
from .permissions import Role
from .views import password_policy

users_cli = AppGroup("users", help="Create accounts and set passwords.")
tokens_cli = AppGroup("tokens", help="Create personal API tokens.")


def fail(error: DomainError) -> None:
    """Print a domain error as one line and exit non-zero."""
    raise click.ClickException(str(error))


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", default="", help="Display name (default: the part before @).")
@click.option("--password", default=None, help="Omit to be prompted; empty to generate one.")
def create_user_command(email: str, role: str, name: str, password: str | None) -> None:
    """Create an account; prints the generated password when none is given."""
    generated = False
    if password is None:
        password = click.prompt("Password (empty to generate)", default="", hide_input=True,
                                show_default=False)
    if not password:
        password, generated = service.generate_password(), True
    try:
        user = service.create_user(db.session, CLI, email, name, role, password, password_policy())
    except DomainError as error:
        fail(error)
    click.echo(f"Created {user.email} ({user.role}).")
    if generated:
        click.echo(f"Password: {password}")


@users_cli.command("set-password")
@click.argument("email")
@click.option("--password", default=None, help="Omit to be prompted; empty to generate one.")
def set_password_command(email: str, password: str | None) -> None:
    """Set an account's password (prompted, or generated and printed)."""
    if password is None:
        password = click.prompt("New password (empty to generate)", default="", hide_input=True,
                                show_default=False)
    generated = not password
    password = password or service.generate_password()
    try:
        user = service.find_user(db.session, email)
        service.set_password(db.session, CLI, user, password, policy=password_policy())
    except DomainError as error:
        fail(error)
    click.echo(f"Password set for {user.email}.")
    if generated:
        click.echo(f"Password: {password}")


@tokens_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="What the token is for, e.g. 'CI pipeline'.")
def create_token_command(email: str, name: str) -> None:
    """Create a personal API token for EMAIL and print it once."""
    try:
        user = service.find_user(db.session, email)
        _row, token = service.create_token(db.session, CLI, user, name)
    except DomainError as error:
        fail(error)
    click.echo(token)
