"""Unit tests for app.evidence.rules: freshness, months, tags and content types (no app)."""

from datetime import date

import pytest

from app.evidence.rules import (
    Freshness,
    best_freshness,
    item_freshness,
    month_end,
    months_between,
    parse_tags,
    served_content_type,
    stored_content_type,
    year_period,
)

ON = date(2026, 6, 15)


@pytest.mark.parametrize(("valid_until", "expected"), [
    (None, Freshness.CURRENT),
    (date(2026, 7, 16), Freshness.CURRENT),
    (date(2026, 7, 15), Freshness.EXPIRING),  # exactly 30 days ahead
    (date(2026, 6, 15), Freshness.EXPIRING),  # valid through today
    (date(2026, 6, 14), Freshness.EXPIRED),
])
def test_item_freshness(valid_until, expected):
    assert item_freshness(valid_until, ON, 30) == expected


def test_zero_warning_days():
    assert item_freshness(date(2026, 6, 16), ON, 0) == Freshness.CURRENT
    assert item_freshness(ON, ON, 0) == Freshness.EXPIRING


def test_best_freshness():
    assert best_freshness([]) == Freshness.MISSING
    assert best_freshness([Freshness.EXPIRED, Freshness.EXPIRING]) == Freshness.EXPIRING
    assert best_freshness([Freshness.EXPIRED, Freshness.CURRENT]) == Freshness.CURRENT
    assert best_freshness([Freshness.EXPIRED]) == Freshness.EXPIRED


def test_months():
    assert year_period(ON) == (date(2026, 1, 1), date(2026, 12, 31))
    assert month_end(date(2024, 2, 10)) == date(2024, 2, 29)
    assert month_end(date(2026, 12, 1)) == date(2026, 12, 31)
    assert months_between(date(2025, 11, 20), date(2026, 2, 3)) == [
        date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]
    assert months_between(date(2026, 3, 1), date(2026, 2, 1)) == []


def test_parse_tags():
    assert parse_tags(" access review,  Quarterly ,access  review, ,QUARTERLY") == [
        "access review", "Quarterly"]
    assert parse_tags(["ci", "ci", " weekly "]) == ["ci", "weekly"]
    assert parse_tags(None) == []


@pytest.mark.parametrize(("declared", "filename", "expected"), [
    ("text/csv", "x.csv", "text/csv"),
    ("Text/CSV; charset=utf-8", "x.csv", "text/csv"),
    ("application/octet-stream", "report.pdf", "application/pdf"),
    (None, "report.pdf", "application/pdf"),
    ("not a type", "notes.txt", "text/plain"),
    ("", "no-extension", "application/octet-stream"),
    ("text/html\r\nX-Injected: 1", "x.bin", "application/octet-stream"),
])
def test_stored_content_type(declared, filename, expected):
    assert stored_content_type(declared, filename) == expected


@pytest.mark.parametrize(("stored", "served"), [
    ("application/pdf", "application/pdf"),
    ("text/csv", "text/csv"),
    ("image/png", "image/png"),
    ("text/html", "application/octet-stream"),
    ("application/xhtml+xml", "application/octet-stream"),
    ("image/svg+xml", "application/octet-stream"),
    ("text/javascript", "application/octet-stream"),
    ("application/javascript", "application/octet-stream"),
    ("text/xml", "application/octet-stream"),
    ("text/css", "application/octet-stream"),
    ("application/x-sh", "application/octet-stream"),
])
def test_served_content_type(stored, served):
    assert served_content_type(stored) == served
