"""Ledger entries in words: sentences in English and Danish, names looked up when the entry
did not record them, links only where the reader may follow them, and a plain sentence for an
action nobody described."""

from __future__ import annotations

import html
import re

import pytest
from flask_babel import force_locale
from sqlalchemy import update

from app.ledger import service as ledger
from app.ledger.describe import describe
from app.ledger.models import LedgerEntry
from tests.factories import SYSTEM, make_user


def words(activity) -> str:
    """What a reader sees of a sentence: its text, without the markup."""
    return html.unescape(re.sub(r"<[^>]+>", "", str(activity.sentence)))


@pytest.fixture
def read(app, db_session):
    """Describe entries for a viewer in a language, as a page would."""

    def reading(entries, viewer, lang="en"):
        with app.test_request_context(), force_locale(lang):
            return describe(db_session, entries, viewer)

    return reading


@pytest.fixture
def mette(db_session):
    """A control owner, Mette Hansen."""
    return make_user(db_session, role="control_owner", name="Mette Hansen")


@pytest.fixture
def coordinator(db_session):
    """A coordinator: may read the ledger and open most pages, not the user administration."""
    return make_user(db_session, role="coordinator", name="Signe Holm")


def entry(session, actor, action, entity_type, entity_id, changes=None):
    """Append one entry the way a service would."""
    return ledger.append(session, actor, action, None, changes or {}, entity_type=entity_type,
                         entity_id=str(entity_id))


def test_an_upload_reads_in_english_and_danish_with_a_link(db_session, read, mette, coordinator):
    uploaded = entry(db_session, mette, "evidence.uploaded", "evidence", 7, {
        "title": "Access review Q3", "controls": ["iso27001-2022:A.5.15"], "kind": "file"})
    [english] = read([uploaded], coordinator)
    assert words(english) == "Mette Hansen uploaded evidence “Access review Q3” for A.5.15"
    assert english.url == "/evidence/7"
    assert '<a href="/evidence/7">evidence “Access review Q3”</a>' in str(english.sentence)
    [danish] = read([uploaded], coordinator, "da")
    assert words(danish) == ("Mette Hansen uploadede dokumentationen “Access review Q3” til "
                             "A.5.15")


def test_a_sign_in_and_a_sample_read_as_sentences(db_session, read, mette, coordinator):
    signed_in = entry(db_session, mette, "auth.login", "user", mette.id, {"ip": "127.0.0.1"})
    drawn = entry(db_session, mette, "sample.drawn", "sample", 3, {
        "test": 999_999, "population": 1, "population_size": 1200, "size": 25, "seed": "x"})
    english = [words(a) for a in read([signed_in, drawn], coordinator)]
    assert english == ["Mette Hansen signed in",
                       "Mette Hansen drew a sample of 25 from 1,200 items for test 999999"]
    danish = [words(a) for a in read([signed_in, drawn], coordinator, "da")]
    assert danish == ["Mette Hansen loggede ind",
                      "Mette Hansen udtog en stikprøve på 25 af 1.200 elementer til test 999999"]


def test_names_missing_from_the_entry_are_looked_up(db_session, read, coordinator):
    lars = make_user(db_session, role="viewer", name="Lars Jensen")
    changed = entry(db_session, SYSTEM, "user.updated", "user", lars.id,
                    {"role": ["viewer", "coordinator"]})
    asked = entry(db_session, coordinator, "evidence_request.created", "evidence_request", 4, {
        "control": "iso27001-2022:A.8.15", "assignee": lars.email, "due_on": "2026-11-25"})
    assert [words(a) for a in read([changed, asked], coordinator)] == [
        "Kontrol gave Lars Jensen the role Information-security coordinator",
        "Signe Holm asked Lars Jensen for evidence for A.8.15 by 2026-11-25"]


def test_links_only_where_the_reader_may_open_the_page(db_session, read, mette, coordinator):
    lars = make_user(db_session, role="viewer", name="Lars Jensen")
    changed = entry(db_session, SYSTEM, "user.updated", "user", lars.id,
                    {"active": [True, False]})
    uploaded = entry(db_session, mette, "evidence.uploaded", "evidence", 7, {"title": "Q3"})
    admin = make_user(db_session, role="admin")
    as_admin = read([changed, uploaded], admin)
    assert [a.url for a in as_admin] == [f"/admin/users/{lars.id}", "/evidence/7"]
    # The user administration is the administrator's: a coordinator reads the name, no link.
    as_coordinator = read([changed, uploaded], coordinator)
    assert [a.url for a in as_coordinator] == [None, "/evidence/7"]
    assert "<a" not in str(as_coordinator[0].sentence)
    assert words(as_coordinator[0]) == "Kontrol deactivated the account of Lars Jensen"
    # Roles whose reading is narrowed object by object get no links at all.
    for role in ("external_auditor", "control_owner"):
        assert [a.url for a in read([changed, uploaded], make_user(db_session, role=role))] \
            == [None, None]


def test_an_unknown_action_reads_as_a_plain_sentence(db_session, read, mette, coordinator):
    odd = entry(db_session, mette, "widget.frobbed", "widget", 3, {"x": 1})
    [activity] = read([odd], coordinator)
    assert words(activity) == "Mette Hansen recorded widget.frobbed on widget 3"
    assert "<code>widget.frobbed</code>" in str(activity.sentence) and activity.url is None
    [danish] = read([odd], coordinator, "da")
    assert words(danish) == "Mette Hansen registrerede widget.frobbed på widget 3"


def test_an_entry_of_an_unexpected_shape_still_reads(db_session, read, mette, coordinator):
    # An old row: fields missing, of another type, or changes that are not JSON at all.
    drawn = entry(db_session, mette, "sample.drawn", "sample", 3, {"size": "many"})
    concluded = entry(db_session, mette, "test.concluded", "control_test", 999_999,
                      {"conclusion": ["no", "list"], "control": 5})
    broken = entry(db_session, mette, "evidence.uploaded", "evidence", 8)
    db_session.execute(update(LedgerEntry).where(LedgerEntry.seq == broken.seq)
                       .values(changes="not json"))
    db_session.refresh(broken)
    assert [words(a) for a in read([drawn, concluded, broken], coordinator)] == [
        "Mette Hansen drew a sample for sample 3",
        "Mette Hansen concluded test 999999",
        "Mette Hansen uploaded evidence 8"]


def test_what_people_typed_is_escaped(db_session, read, mette, coordinator):
    uploaded = entry(db_session, mette, "evidence.uploaded", "evidence", 7,
                     {"title": '<script>alert("x")</script>'})
    [activity] = read([uploaded], coordinator)
    assert "<script>" not in str(activity.sentence)
    assert "&lt;script&gt;" in str(activity.sentence)
    assert words(activity) == 'Mette Hansen uploaded evidence “<script>alert("x")</script>”'


def test_ids_out_of_bounds_give_no_link_and_no_error(db_session, read, mette, coordinator):
    huge = entry(db_session, mette, "evidence.updated", "evidence", "9" * 30, {})
    odd = entry(db_session, mette, "sample.drawn", "sample", "²", {"test": 2**63, "size": 3})
    assert [(words(a), a.url) for a in read([huge, odd], coordinator)] == [
        (f"Mette Hansen edited evidence {'9' * 30}", None),
        ("Mette Hansen drew a sample for sample ²", None)]


def test_a_request_on_a_pbc_list_names_the_list(db_session, read, mette, coordinator):
    asked = entry(db_session, coordinator, "evidence_request.created", "evidence_request", 5, {
        "control": "iso27001-2022:A.8.15", "assignee": mette.email, "due_on": "2026-11-25",
        "engagement": 999_999})
    withdrawn = entry(db_session, coordinator, "evidence_request.cancelled", "evidence_request",
                      5, {"control": "iso27001-2022:A.8.15", "engagement": 999_999})
    english = read([asked, withdrawn], coordinator)
    assert [(words(a), a.url) for a in english] == [
        ("Signe Holm put a request on the PBC list of engagement 999999: evidence for A.8.15 "
         "from Mette Hansen by 2026-11-25", "/audits/999999/pbc"),
        ("Signe Holm withdrew the request for evidence for A.8.15 from the PBC list of "
         "engagement 999999", "/audits/999999/pbc")]
    assert words(read([asked], coordinator, "da")[0]) == (
        "Signe Holm satte en anmodning på PBC-listen for opgave 999999: dokumentation for "
        "A.8.15 fra Mette Hansen senest 25.11.2026")  # the Danish pages' date format
