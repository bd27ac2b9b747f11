"""Top-level operator commands: `flask setup` (first start) and `flask demo`."""

from __future__ import annotations

import os

import click

from .auth import service as accounts
from .auth.actors import CLI
from .auth.views import password_policy
from .errors import DomainError
from .extensions import db


@click.command("setup")
def bootstrap_command() -> None:
    """Prepare a database after migrations: admin account on first start, then demo data.

    The admin comes from KONTROL_ADMIN_EMAIL / KONTROL_ADMIN_PASSWORD, or is created as
    admin@kontrol.local with a generated password printed once. Demo data is seeded only on a
    brand-new database, unless KONTROL_DEMO=0.
    """
    from .demo import seed_demo, setup_steps

    for step in setup_steps():
        step(db.session)
    if accounts.count_users(db.session):
        click.echo("Database ready; existing accounts and data kept.")
        return
    email = os.environ.get("KONTROL_ADMIN_EMAIL", "admin@kontrol.local")
    password = os.environ.get("KONTROL_ADMIN_PASSWORD") or accounts.generate_password()
    try:
        accounts.create_user(db.session, CLI, email, "Administrator", "admin", password,
                             password_policy())
    except DomainError as error:  # e.g. a guessable KONTROL_ADMIN_PASSWORD: say so in one line
        raise click.ClickException(f"KONTROL_ADMIN_EMAIL/PASSWORD: {error}") from None
    click.echo("=" * 64)
    click.echo(f"  Administrator account: {email}")
    if not os.environ.get("KONTROL_ADMIN_PASSWORD"):
        click.echo(f"  Password (shown once): {password}")
    if os.environ.get("KONTROL_DEMO", "1") != "0":
        demo_password = seed_demo(db.session, password)
        click.echo("  Demo organisation seeded; demo accounts use the same password:")
        for line in demo_password:
            click.echo(f"    {line}")
    click.echo("=" * 64)


@click.command("demo")
@click.option("--password", default=None, help="Password for the demo accounts.")
def demo_command(password: str | None) -> None:
    """Seed the fictional demo organisation (idempotent: existing demo rows are kept).

    Runs the set-up steps first (loading the catalogue the demo engagements test), so it works
    on a database that has only been migrated.
    """
    from .demo import seed_demo, setup_steps
    from .errors import DomainError

    password = password or accounts.generate_password()
    try:
        for step in setup_steps():
            step(db.session)
        lines = seed_demo(db.session, password)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(f"The demo could not be seeded: {error}. Run "
                                   "`flask db upgrade` and `flask setup` first.") from error
    for line in lines:
        click.echo(line)
    click.echo(f"Demo accounts password: {password}")
