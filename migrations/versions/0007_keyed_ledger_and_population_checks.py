"""Keyed ledger (HMAC-SHA256, with the plain SHA-256 entries before it sealed), and population
import warnings.

The ledger: every existing entry keeps its plain SHA-256 digest and is marked `sha256`; new
entries are `hmac-sha256` under the ledger key (KONTROL_LEDGER_KEY or instance/ledger_key,
never in the database). When the ledger already holds entries, one keyed entry
`ledger.keyed` is appended here: its HMAC covers the last plain digest and records the head
as it stood, so the old entries can no longer be rewritten or cut back by anyone without the
key, and `flask ledger verify` keeps checking them with the algorithm they were written with.

Revision ID: 0007
Revises: 0009
Create Date: 2026-11-30 10:00:00

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa
from flask import current_app

from app.db import UTCDateTime
from app.ledger.chain import KEYED, canonical_json, digest, entry_text


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0009'
branch_labels = None
depends_on = None

ledger_entry = sa.table(
    'ledger_entry', sa.column('seq', sa.Integer), sa.column('at', UTCDateTime()),
    sa.column('actor_id', sa.Integer), sa.column('actor', sa.String),
    sa.column('action', sa.String), sa.column('entity_type', sa.String),
    sa.column('entity_id', sa.String), sa.column('changes', sa.Text),
    sa.column('prev_hash', sa.String), sa.column('hash', sa.String),
    sa.column('algorithm', sa.String))
ledger_head = sa.table('ledger_head', sa.column('id', sa.Integer), sa.column('seq', sa.Integer),
                       sa.column('hash', sa.String))


def upgrade():
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('algorithm', sa.String(length=16),
                                      server_default='sha256', nullable=False))
    with op.batch_alter_table('population', schema=None) as batch_op:
        batch_op.add_column(sa.Column('warnings', sa.JSON(), nullable=True))
    _seal_legacy_entries(op.get_bind())


def _seal_legacy_entries(connection):
    last = connection.execute(sa.select(ledger_entry.c.seq, ledger_entry.c.hash)
                              .order_by(ledger_entry.c.seq.desc()).limit(1)).first()
    if last is None:
        return
    head = connection.execute(sa.select(ledger_head.c.seq, ledger_head.c.hash)
                              .where(ledger_head.c.id == 1)).first()
    seq, at = last.seq + 1, datetime.now(UTC)
    changes = canonical_json({"algorithm": KEYED, "sealed_head": {
        "seq": head.seq if head else 0, "hash": head.hash if head else "0" * 64}})
    fields = dict(seq=seq, at=at, actor_id=None, actor="system:migration-0007",
                  action="ledger.keyed", entity_type="ledger", entity_id="chain",
                  changes=changes, prev_hash=last.hash)
    key = current_app.config["KONTROL_LEDGER_KEY"].encode("utf-8")
    sealed = digest(entry_text(**fields), KEYED, key)
    connection.execute(ledger_entry.insert().values(**fields, hash=sealed, algorithm=KEYED))
    if head is None:
        connection.execute(ledger_head.insert().values(id=1, seq=seq, hash=sealed))
    else:
        connection.execute(ledger_head.update().where(ledger_head.c.id == 1)
                           .values(seq=seq, hash=sealed))


def downgrade():
    # Entries written since the upgrade stay HMAC-sealed: the code before 0007 cannot verify
    # them (it knows only plain SHA-256), so `flask ledger verify` there reports them altered.
    with op.batch_alter_table('population', schema=None) as batch_op:
        batch_op.drop_column('warnings')
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.drop_column('algorithm')
