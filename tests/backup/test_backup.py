"""Backup and restore: every row, file and ledger hash survives, on either database and across."""

from __future__ import annotations

import io
import tarfile
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.backup import rows
from app.backup.archive import BackupError, write_backup
from app.backup.restore import (
    RestoreRefused,
    check_archive,
    check_target,
    restore_backup,
)
from app.extensions import db
from tests.conftest import migrate_fresh

SEEDED: dict[str, Path] = {}


def _second_url(database_url: str, tmp_path: Path, name: str):
    """Another empty database: a SQLite file, or a new PostgreSQL schema (dropped by caller)."""
    if database_url.startswith("sqlite"):
        return "sqlite:///" + str(tmp_path / f"{name}.db"), None
    schema = f"restore_{name}_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in database_url else "?"
    return f"{database_url}{separator}options=-csearch_path%3D{schema}", (engine, schema)


def _drop(cleanup) -> None:
    if cleanup:
        engine, schema = cleanup
        with engine.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        engine.dispose()


@pytest.fixture
def second_database(database_url, tmp_path):
    """An empty database of the same kind as the suite's (nothing migrated)."""
    url, cleanup = _second_url(database_url, tmp_path, "target")
    yield url
    _drop(cleanup)


def _demo_app(url: str, instance: Path):
    from app.demo import seed_demo, setup_steps

    app = migrate_fresh(url, instance)
    with app.app_context():
        for step in setup_steps():
            step(db.session)
        seed_demo(db.session, "demo password for tests 1")
        db.session.remove()
        db.engine.dispose()
    return app


def _backup(app, out: Path) -> Path:
    from app.evidence.service import STORED_FILE_SOURCES

    with app.app_context():
        write_backup(db.engine, db.metadata, app.config["KONTROL_EVIDENCE_DIR"], out,
                     ledger_key=app.config["KONTROL_LEDGER_KEY"],
                     file_sources=STORED_FILE_SOURCES)
        db.engine.dispose()
    return out


def _restore_app(url: str, instance: Path, ledger_key: str | None = None):
    """An app on the target database; with the source's ledger key, as the README says."""
    from app import create_app
    from tests.conftest import _base_config

    config = _base_config(url, instance)
    if ledger_key:
        config["KONTROL_LEDGER_KEY"] = ledger_key
    return create_app(config)


def _restore(app, archive: Path):
    from flask_migrate import upgrade

    from app.backup.cli import head_revision

    with app.app_context():
        backup = check_archive(archive)
        blank = check_target(db.engine, db.metadata, app.config["KONTROL_EVIDENCE_DIR"],
                             backup, head_revision())
        restore_backup(db.engine, db.metadata, app.config["KONTROL_EVIDENCE_DIR"], backup,
                       create_schema=upgrade if blank else None)
        db.engine.dispose()
    return backup


def _contents(app) -> tuple[dict, dict]:
    """Every row of every table (as portable values) and every evidence file's bytes."""
    tables = {}
    with app.app_context():
        with db.engine.connect() as connection:
            for table in db.metadata.sorted_tables:
                kinds = [rows.kind_of(c.type) for c in table.columns]
                tables[table.name] = [rows.encode_row(table, kinds, row) for row in
                                      connection.execute(rows.select_statement(table))]
        db.engine.dispose()
    root = Path(app.config["KONTROL_EVIDENCE_DIR"])
    files = {p.name: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    return tables, files


def _verify(app, backup):
    from app.backup.restore import verify_restored

    with app.app_context():
        result = verify_restored(db.session, backup, app.config["KONTROL_EVIDENCE_DIR"],
                                 app.config["KONTROL_LEDGER_KEY"])
        db.session.remove()
        db.engine.dispose()
    return result


def _round_trip(source_app, target_url: str, tmp_path: Path):
    archive = _backup(source_app, tmp_path / "backup.tar")
    target = _restore_app(target_url, tmp_path / "target-instance",
                          source_app.config["KONTROL_LEDGER_KEY"])
    backup = _restore(target, archive)
    return target, backup


@pytest.mark.fresh_db
def test_round_trip_keeps_every_row_file_and_ledger_hash(fresh_database_url, second_database,
                                                         tmp_path):
    source = _demo_app(fresh_database_url, tmp_path / "source-instance")
    target, backup = _round_trip(source, second_database, tmp_path)
    source_tables, source_files = _contents(source)
    target_tables, target_files = _contents(target)
    assert source_tables["ledger_entry"] and source_files  # the demo has both
    assert target_tables == source_tables
    assert target_files == source_files
    verification = _verify(target, backup)
    assert verification.ok, verification.lines
    assert any(line.startswith("Ledger head matches the backup") for line in verification.lines)
    # The restored database takes new rows: sequences continue past the restored ids.
    from app.auth import service as accounts
    from tests import factories

    with target.app_context():
        user = accounts.create_user(db.session, factories.SYSTEM, "new@example.org", "New",
                                    "viewer", factories.TEST_PASSWORD, factories.FAST_HASH)
        assert user.id > max(row[0] for row in source_tables["user"])
        db.session.remove()
        db.engine.dispose()


@pytest.mark.fresh_db
def test_sqlite_installation_moves_to_postgresql(database_url, second_database, tmp_path):
    if not database_url.startswith("postgresql"):
        pytest.skip("needs TEST_DATABASE_URL pointing at PostgreSQL (as in CI)")
    source = _demo_app("sqlite:///" + str(tmp_path / "embedded.db"), tmp_path / "sqlite-instance")
    target, backup = _round_trip(source, second_database, tmp_path)
    assert _contents(target) == _contents(source)
    assert _verify(target, backup).ok


@pytest.mark.fresh_db
def test_every_table_in_the_metadata_is_in_the_backup(fresh_app, tmp_path):
    archive = _backup(fresh_app, tmp_path / "empty.tar")
    header = check_archive(archive).header
    assert {t["name"] for t in header["tables"]} == set(db.metadata.tables)
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert names[-1] == "MANIFEST.sha256"
    assert {f"tables/{i:03d}-{t.name}.jsonl" for i, t in enumerate(
        db.metadata.sorted_tables, 1)} <= set(names)


@pytest.mark.fresh_db
def test_a_damaged_archive_is_refused_before_anything_is_written(fresh_app, second_database,
                                                                 tmp_path):
    archive = _backup(fresh_app, tmp_path / "good.tar")
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w") as out:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.endswith("-ledger_head.jsonl"):
                data = data.replace(b"0000", b"0001")
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    with pytest.raises(RestoreRefused, match="does not match its SHA-256 in the manifest"):
        check_archive(damaged)
    with pytest.raises(RestoreRefused, match="not a readable tar archive"):
        check_archive(tmp_path / "nothing.tar")


@pytest.mark.fresh_db
def test_a_target_that_is_not_empty_is_refused(fresh_app, tmp_path):
    from app.backup.cli import head_revision
    from tests import factories

    archive = _backup(fresh_app, tmp_path / "b.tar")
    backup = check_archive(archive)
    with fresh_app.app_context():
        evidence = fresh_app.config["KONTROL_EVIDENCE_DIR"]
        # A migrated database with nothing in it is fine (the genesis ledger head is seeded).
        assert check_target(db.engine, db.metadata, evidence, backup, head_revision()) is False
        refusal = f"revision {head_revision()} and this Kontrol at 0001"
        with pytest.raises(RestoreRefused, match=refusal):
            check_target(db.engine, db.metadata, evidence, backup, "0001")
        factories.make_user(db.session, role="viewer")
        db.session.remove()
        with pytest.raises(RestoreRefused, match="table (user|ledger_entry) has 1 row"):
            check_target(db.engine, db.metadata, evidence, backup, head_revision())
        db.engine.dispose()
    other = tmp_path / "evidence-in-use"
    (other / "ab").mkdir(parents=True)
    (other / "ab" / "stray").write_bytes(b"x")
    with pytest.raises(RestoreRefused, match="evidence directory .* is not empty"):
        check_target(None, db.metadata, other, backup, backup.header["revision"])


def test_backup_refuses_to_overwrite(fresh_app, tmp_path):
    (tmp_path / "there.tar").write_bytes(b"old")
    with pytest.raises(BackupError, match="already exists"):
        _backup(fresh_app, tmp_path / "there.tar")
    assert (tmp_path / "there.tar").read_bytes() == b"old"


def test_every_column_type_round_trips_exactly(database_url, tmp_path):
    # SQLite stores decimals as floats, so exact decimals are tested on PostgreSQL only.
    postgres = database_url.startswith("postgresql")
    metadata = sa.MetaData()
    from app.db import UTCDateTime

    things = sa.Table(
        "thing", metadata, sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("parent_id", sa.ForeignKey("thing.id")), sa.Column("at", UTCDateTime),
        sa.Column("naive", sa.DateTime), sa.Column("on", sa.Date), sa.Column("clock", sa.Time),
        sa.Column("amount", sa.Numeric(12, 4) if postgres else sa.String(20)),
        sa.Column("ratio", sa.Float),
        sa.Column("data", sa.JSON), sa.Column("blob", sa.LargeBinary),
        sa.Column("flag", sa.Boolean), sa.Column("label", sa.Text),
        sa.Column("span", sa.Interval))
    version = sa.Table("alembic_version", metadata, sa.Column("version_num", sa.String(32)))
    ledger_head = sa.Table("ledger_head", metadata, sa.Column("id", sa.Integer, primary_key=True),
                           sa.Column("seq", sa.Integer), sa.Column("hash", sa.String(64)))
    values = [
        {"id": 3, "parent_id": None, "at": None, "naive": None, "on": None, "clock": None,
         "amount": None, "ratio": None, "data": sa.JSON.NULL, "blob": None, "flag": True,
         "label": "", "span": None},
        {"id": 2, "parent_id": 3, "at": datetime(2024, 3, 31, 1, 30, 0, 123456, UTC),
         "naive": datetime(2024, 1, 1, 12), "on": date(1999, 12, 31), "clock": time(23, 59, 1),
         "amount": Decimal("12345678.0001") if postgres else "12345678.0001",
         "ratio": 0.1 + 0.2, "data": {"a": [1, None, "ø"]},
         "blob": bytes(range(256)), "flag": False, "label": "æøå \u2028 \"quoted\"",
         "span": timedelta(days=3, seconds=5, microseconds=7)},
        {"id": 4, "parent_id": 2, "at": None, "naive": None, "on": None, "clock": None,
         "amount": None, "ratio": None, "data": None, "blob": b"", "flag": None, "label": None,
         "span": None},
    ]
    source_url, source_cleanup = _second_url(database_url, tmp_path, "types_a")
    target_url, target_cleanup = _second_url(database_url, tmp_path, "types_b")
    try:
        source, target = sa.create_engine(source_url), sa.create_engine(target_url)
        metadata.create_all(source)
        with source.begin() as connection:
            connection.execute(sa.insert(version), {"version_num": "types"})
            connection.execute(rows.insert_statement(things), values)
        archive = tmp_path / "types.tar"
        subset = sa.MetaData()
        for table in (things, ledger_head):
            table.to_metadata(subset)
        write_backup(source, subset, tmp_path / "none", archive)
        backup = check_archive(archive)
        assert check_target(target, subset, tmp_path / "none", backup, "types") is True
        restore_backup(target, subset, tmp_path / "none", backup,
                       create_schema=lambda: metadata.create_all(target))

        def read(engine):
            with engine.connect() as connection:
                table = subset.tables["thing"]
                kinds = [rows.kind_of(c.type) for c in table.columns]
                raw = connection.execute(sa.select(
                    table.c.id, sa.cast(table.c.data, sa.Text).label("json_text"))
                    .order_by(table.c.id)).all()
                return ([rows.encode_row(table, kinds, row) for row in
                         connection.execute(rows.select_statement(table))], raw)

        assert read(target) == read(source)
        restored, raw = read(target)
        assert raw[1].json_text == "null" and raw[2].json_text is None  # JSON null ≠ SQL NULL
        first = {c.name: rows.decode(k, v) for c, k, v in zip(
            things.columns, [rows.kind_of(c.type) for c in things.columns], restored[0],
            strict=True)}
        assert first["at"] == values[1]["at"] and first["at"].tzinfo is not None
        assert str(first["amount"]) == "12345678.0001" and first["blob"] == bytes(range(256))
        assert first["ratio"] == 0.1 + 0.2 and first["span"] == values[1]["span"]
        source.dispose()
        target.dispose()
    finally:
        _drop(source_cleanup)
        _drop(target_cleanup)


@pytest.mark.fresh_db
def test_cli_backs_up_and_restores_with_progress_and_verification(fresh_app, second_database,
                                                                  tmp_path):
    from tests import factories

    with fresh_app.app_context():
        factories.make_user(db.session, role="viewer")
        db.session.remove()
    archive = tmp_path / "cli.tar"
    result = fresh_app.test_cli_runner().invoke(args=["backup", "--out", str(archive)])
    assert result.exit_code == 0, result.output
    assert "table user: 1 rows" in result.output and "Backup written to" in result.output
    target = _restore_app(second_database, tmp_path / "cli-target",
                          fresh_app.config["KONTROL_LEDGER_KEY"])
    result = target.test_cli_runner().invoke(args=["restore", str(archive)])
    assert result.exit_code == 0, result.output
    assert "manifest checked" in result.output and "Ledger intact: 1 entries" in result.output
    assert "Evidence store intact" in result.output
    again = target.test_cli_runner().invoke(args=["restore", str(archive)])
    assert again.exit_code == 1
    assert "Restore refused: the database is not empty: table" in again.output
    with target.app_context():
        db.engine.dispose()


@pytest.mark.fresh_db
def test_restore_says_when_the_ledger_key_was_not_moved_with_the_backup(
        fresh_app, second_database, tmp_path):
    from tests import factories

    with fresh_app.app_context():
        factories.make_user(db.session, role="viewer")  # a ledger entry, keyed
        db.session.remove()
    archive = _backup(fresh_app, tmp_path / "keyed.tar")
    target = _restore_app(second_database, tmp_path / "new-instance")  # makes a key of its own
    result = target.test_cli_runner().invoke(args=["restore", str(archive)])
    assert result.exit_code == 1
    assert "LEDGER KEY: this installation's ledger key is not the one the backup was made" \
        in result.output
    assert "Copy instance/ledger_key from the old installation" in result.output
    assert "(expected with the wrong ledger key, see above)" in result.output
    backup = check_archive(archive)
    with target.app_context():
        from app.backup.restore import verify_restored

        moved = verify_restored(db.session, backup, target.config["KONTROL_EVIDENCE_DIR"],
                                fresh_app.config["KONTROL_LEDGER_KEY"])
        db.session.remove()
        db.engine.dispose()
    assert moved.ok, moved.lines
