"""Find English in a page rendered in Danish, without mistaking the organisation's data for it.

Three nets, each precise on its own:
1. Interface strings: every English msgid of the catalogue whose Danish differs becomes a
   pattern (placeholders match anything); a piece of visible text that is exactly such a
   string was left untranslated (a lazy string evaluated at import, a missing entry).
2. Strings never marked for translation: English words a Danish page never shows ("the",
   "of", "bytes", "Next", month names, frequency codes such as "semi-monthly"), looked for
   word by word.
3. Dates and numbers: a decimal point between digits ("8.4 %"), or two date formats on one
   page.
What the organisation typed (titles, justifications, names: every text stored in the
database) is English in the demo and stays as typed, so it is removed from a piece before
nets 1 and 2 look at it.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

PO = Path(__file__).resolve().parents[2] / "app/translations/da/LC_MESSAGES/messages.po"

# Words of English UI text that are not Danish words (checked case-sensitively for the
# capitalised month abbreviations, case-insensitively for the rest).
ENGLISH_WORDS = {
    "the", "of", "and", "with", "from", "this", "that", "these", "your", "you", "must",
    "should", "been", "has", "was", "were", "which", "when", "where", "will", "would",
    "page", "next", "previous", "item", "items", "deviations", "findings", "finding",
    "controls", "evidence", "none", "yes", "open", "closed", "overdue", "expired", "expiring",
    "missing", "current", "planned", "partial", "implemented", "pending", "approved",
    "rejected", "draft", "issued", "planning", "fieldwork", "minor", "significant",
    "annual", "semi-annual", "quarterly", "monthly", "semi-monthly", "weekly", "daily",
    "multiple-daily", "event-driven", "automated", "inquiry", "inspection", "reperformance",
    "january", "february", "march", "june", "july", "october",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
    "sunday", "ago", "days", "hours", "minutes", "today", "yesterday", "tomorrow", "unknown",
    "edit", "save", "cancel", "delete", "remove", "search", "filter",
    "sign", "signed", "out", "account", "settings", "users", "role", "owner", "status",
}
ENGLISH_CASED = {"Bytes", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct",
                 "Nov", "Dec", "AM", "PM"}
# Words that are Danish too, or names of things, and so prove nothing.
NOT_EVIDENCE = {"status", "filter"}
WORD = re.compile(r"[A-Za-zÆØÅæøå]+(?:-[A-Za-zÆØÅæøå]+)*")
DECIMAL_POINT = re.compile(r"(?<![\d.])\d+\.\d+\s?%")
DATE_FORMATS = {
    "iso": re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
    "danish-numeric": re.compile(r"\b\d{1,2}\.\d{1,2}\.\d{4}\b"),
    "danish-words": re.compile(r"\b\d{1,2}\. (?:jan|feb|mar|apr|maj|jun|jul|aug|sep|okt|nov|dec)"
                               r"[a-z]*\.? \d{4}\b"),
    "english-words": re.compile(r"\b\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
                                r"[a-z]* \d{4}\b|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|"
                                r"Nov|Dec)[a-z]* \d{1,2}, \d{4}\b"),
}


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")


@cache
def untranslated_pattern() -> re.Pattern:
    """One full-match pattern for the English msgids whose Danish text differs from them."""
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="da")
    patterns = []
    danish = {text for message in catalog if message.id for text in (
        message.string if isinstance(message.string, tuple) else (message.string,))}
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for english in ids:
            words = WORD.findall(PLACEHOLDER.sub(" ", english))
            if english in danish or len(english) < 4 or len(words) < 1 or (
                    len(words) < 2 and PLACEHOLDER.search(english)):
                continue  # the same in Danish, or (nearly) all placeholder: nothing to tell
            if all(word.lower() in NOT_EVIDENCE or word.isupper() for word in words):
                continue
            parts = PLACEHOLDER.split(" ".join(english.split()))
            patterns.append(".+?".join(re.escape(part) for part in parts))
    return re.compile("|".join(f"(?:{p})" for p in sorted(set(patterns))))


def strip_data(piece: str, data: set[str]) -> str:
    """`piece` without any stored text (longest first) it contains."""
    for value in sorted((v for v in data if v in piece), key=len, reverse=True):
        piece = piece.replace(value, " ")
    return piece


ADDRESSES = re.compile(r"\S+@\S+|https?://\S+|\S*/\S*")


def english_in(pieces: list[str], data: set[str]) -> list[str]:
    """What in these visible pieces of a Danish page is English interface text."""
    found = []
    for piece in dict.fromkeys(pieces):
        found.extend(_english_in_piece(piece, data))
    return found


_seen: dict[tuple[str, int], tuple[str, ...]] = {}


def _english_in_piece(piece: str, data: set[str]) -> tuple[str, ...]:
    key = (piece, id(data))
    if key not in _seen:
        _seen[key] = tuple(_check_piece(piece, data))
    return _seen[key]


MACHINE_CODE = re.compile(r"[a-z0-9_]+(?:\.[a-z0-9_]+)+")  # ledger actions: evidence.added


def _check_piece(piece: str, data: set[str]):
    if piece in data or MACHINE_CODE.fullmatch(piece):
        return
    if DECIMAL_POINT.search(piece) and DECIMAL_POINT.search(strip_data(piece, data)):
        yield f"decimal point in {piece!r}"
    if untranslated_pattern().fullmatch(piece) and strip_data(piece, data).strip():
        yield f"untranslated: {piece!r}"
        return
    if not any(w.lower() in ENGLISH_WORDS or w in ENGLISH_CASED for w in WORD.findall(piece)):
        return
    rest = ADDRESSES.sub(" ", strip_data(piece, data))
    english = [w for w in WORD.findall(rest) if w in ENGLISH_CASED or (
        w.lower() in ENGLISH_WORDS - NOT_EVIDENCE and not w.isupper())]  # FREQ=MONTHLY: a code
    if english:
        yield f"English {english} in {piece!r}"


def date_formats(text: str) -> set[str]:
    """The date formats used in `text`."""
    return {name for name, pattern in DATE_FORMATS.items() if pattern.search(text)}
