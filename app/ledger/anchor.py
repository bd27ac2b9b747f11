"""Ledger anchors: the chain's head (sequence number and hash) written down outside the database.

An anchor is one line of text, `kontrol-ledger-anchor seq=N hash=H at=TIME`, that an operator
keeps where the database's administrators cannot change it (an e-mail, a commit, a printed page,
an auditor's bundle manifest). `flask ledger verify --anchor FILE` then proves the chain still
contains that head: a chain rewritten or cut back to before it no longer does. The parser finds
anchor lines anywhere in a file, so a bundle's MANIFEST.sha256 or a mailbox export works as is.
Pure: no Flask, no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

MARKER = "kontrol-ledger-anchor"
_LINE = re.compile(MARKER + r"\s+seq=(\d{1,18})\s+hash=([0-9a-f]{64})\b")


@dataclass(frozen=True)
class Anchor:
    """The head of the chain at one moment: entry `seq` had digest `hash`."""

    seq: int
    hash: str


def format_anchor(anchor: Anchor, at: datetime) -> str:
    """The anchor as one line (no newline), stamped with the UTC time it was taken."""
    stamp = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{MARKER} seq={anchor.seq} hash={anchor.hash} at={stamp}"


def parse_anchors(text: str) -> list[Anchor]:
    """Every anchor line in `text`, in order (the text may hold other lines too)."""
    return [Anchor(int(seq), digest) for seq, digest in _LINE.findall(text)]
