"""`flask catalogue check`, `flask catalogue load` and `flask catalogue import-ciso`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..auth.actors import CLI
from ..extensions import db
from . import sync

catalogue_cli = AppGroup("catalogue", help="Validate and load control catalogues (YAML).")


def _report(error: sync.CatalogueInvalid) -> None:
    for item in error.errors:
        click.echo(str(item), err=True)
    raise click.ClickException(error.message)


@catalogue_cli.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
def check_command(paths: tuple[str, ...]) -> None:
    """Validate catalogue files (or folders of them) without writing anything."""
    try:
        definitions = sync.check_catalogues(db.session, paths)
    except sync.CatalogueInvalid as error:
        _report(error)
    for definition in definitions:
        click.echo(f"{definition.path}: {definition.id}, {len(definition.controls)} controls, OK")


@catalogue_cli.command("load")
@click.argument("paths", nargs=-1, type=click.Path())
def load_command(paths: tuple[str, ...]) -> None:
    """Validate and load catalogues (default: the controls/ folder) in one transaction."""
    try:
        results = sync.load_catalogues(db.session, CLI, paths)
    except sync.CatalogueInvalid as error:
        _report(error)
    for result in results:
        click.echo(result.summary())


@catalogue_cli.command("import-ciso")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--kind", type=click.Choice(["standard", "extension", "assurance"]), default=None,
              help="What the frameworks are for (default: kept on re-import, else assurance).")
def import_ciso_command(paths: tuple[str, ...], kind: str | None) -> None:
    """Import CISO Assistant library files: frameworks and mapping sets, in one transaction."""
    from . import ciso, libraries

    files, errors = ciso.library_files(paths)
    if errors:
        _report(sync.CatalogueInvalid(errors))
    try:
        result = libraries.import_libraries(db.session, CLI, files, kind)
    except sync.CatalogueInvalid as error:
        _report(error)
    for line in result.lines():
        click.echo(line)


def load_on_setup(session) -> None:
    """`flask setup` step: (re)load the shipped catalogue; a no-op when nothing changed."""
    try:
        for result in sync.load_catalogues(session, CLI):
            click.echo(f"Catalogue {result.summary()}")
    except sync.CatalogueInvalid as error:
        _report(error)


def register() -> None:
    """Run the catalogue load on every `flask setup` (and so on every `make run`)."""
    from ..demo import DEMO_STEPS, SETUP_STEPS
    from .demo import seed_soa

    SETUP_STEPS.append(load_on_setup)
    DEMO_STEPS.append(seed_soa)


register()
