"""Governing documents: registration, versions as evidence, reviews, approvals, due lists."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.errors import Conflict, Forbidden, Invalid
from app.evidence.models import Evidence
from app.governance import documents as service
from app.governance import reviews
from app.governance.common import Page
from app.governance.documents import DocumentDetails, DocumentFilter
from app.ledger.models import LedgerEntry
from tests.governance.conftest import TODAY, pdf


def register(session, actor, settings, owner, **fields):
    values = {"title": "Information security handbook", "kind": "guideline",
              "owner_id": owner.id, "approving_body": "security_committee",
              "controls": ["iso27001-2022:A.5.1", "isae3000-gdpr:A.1"],
              "approved_on": date(2026, 1, 31)}
    values.update(fields)
    upload = values.pop("upload", pdf())
    return service.create_document(session, actor, settings, DocumentDetails(**values),
                                   today=TODAY, upload=upload, label="1.0")


def test_registered_document_keeps_its_version_as_evidence(db_session, settings, controls,
                                                           coordinator, owner):
    document = register(db_session, coordinator, settings, owner)
    assert document.next_review_due == date(2027, 1, 31)
    current = document.current_version
    evidence = db_session.get(Evidence, current.evidence_id)
    assert evidence.current_version.sha256 and evidence.kind == "file"
    assert sorted(c.key for c in evidence.controls) == sorted(["iso27001-2022:A.5.1",
                                                               "isae3000-gdpr:A.1"])
    assert db_session.scalar(select(LedgerEntry.action).where(
        LedgerEntry.entity_type == "governing_document")) == "document.created"


def test_policy_must_be_approved_by_top_management_and_reviewed_yearly(
        db_session, settings, controls, coordinator, owner):
    with pytest.raises(Invalid) as error:
        register(db_session, coordinator, settings, owner, kind="policy")
    assert error.value.field == "approving_body"
    with pytest.raises(Invalid) as error:
        register(db_session, coordinator, settings, owner, kind="policy",
                 approving_body="top_management", review_interval_months=24)
    assert error.value.field == "review_interval_months"
    policy = register(db_session, coordinator, settings, owner, kind="policy",
                      approving_body="top_management")
    assert policy.security_level_due == date(2027, 1, 31)


def test_approved_review_moves_the_next_due_date_with_month_end_clamping(
        db_session, settings, controls, coordinator, owner):
    document = register(db_session, coordinator, settings, owner, review_interval_months=1)
    assert document.next_review_due == date(2026, 2, 28)
    reviews.record_review(db_session, owner, settings, document, reviews.ReviewDetails(
        reviewed_on=date(2026, 3, 20), outcome="no_change"), today=TODAY)
    assert document.next_review_due == date(2026, 2, 28)  # not approved yet: nothing moves
    review = document.reviews[0]
    reviews.approve_review(db_session, coordinator, settings, review, reviews.ReviewDetails(
        reviewed_on=None, outcome="", approval_body="security_committee",
        approved_by="Security committee", approved_on=date(2026, 3, 31)), today=TODAY,
        minutes=pdf(b"minutes", "minutes.pdf"))
    assert document.next_review_due == date(2026, 4, 30)
    assert review.minutes.current_version.filename == "minutes.pdf"


def test_owners_record_reviews_of_their_documents_only(db_session, settings, controls,
                                                       coordinator, owner):
    from tests.factories import make_user

    document = register(db_session, coordinator, settings, owner)
    other = make_user(db_session, role="control_owner")
    with pytest.raises(Forbidden):
        reviews.record_review(db_session, other, settings, document, reviews.ReviewDetails(
            reviewed_on=TODAY, outcome="no_change"), today=TODAY)
    with pytest.raises(Forbidden):  # approvals are the coordinator's to record
        reviews.record_review(db_session, owner, settings, document, reviews.ReviewDetails(
            reviewed_on=TODAY, outcome="no_change", approval_body="security_committee",
            approved_by="Committee", approved_on=TODAY), today=TODAY)


def test_major_handbook_change_needs_committee_approval_before_it_becomes_current(
        db_session, settings, controls, coordinator, owner):
    document = register(db_session, coordinator, settings, owner)
    first = document.current_version
    proposed = reviews.add_version(db_session, coordinator, settings, document,
                                   pdf(b"new handbook", "handbook-2.pdf"), label="2.0",
                                   change="major", summary="New chapter on AI.", today=TODAY)
    with pytest.raises(Conflict) as refused:
        reviews.make_current(db_session, coordinator, document, proposed.id, None, today=TODAY)
    assert "security committee" in refused.value.message
    assert document.current_version is first and proposed.status == "proposed"
    # An approval by a lower body does not count.
    reviews.record_review(db_session, coordinator, settings, document, reviews.ReviewDetails(
        reviewed_on=date(2026, 6, 1), outcome="updated", version_id=proposed.id),
        today=TODAY)
    with pytest.raises(Conflict):
        reviews.make_current(db_session, coordinator, document, proposed.id, None, today=TODAY)
    reviews.approve_review(db_session, coordinator, settings, document.reviews[0],
                           reviews.ReviewDetails(reviewed_on=None, outcome="",
                                         approval_body="security_committee",
                                         approved_by="Chair", approved_on=date(2026, 6, 10)),
                           today=TODAY)
    assert document.current_version is proposed
    assert proposed.effective_on == date(2026, 6, 10) and first.status == "superseded"
    assert document.next_review_due == date(2027, 6, 10)


def test_minor_change_becomes_current_without_approval(db_session, settings, controls,
                                                       coordinator, owner):
    document = register(db_session, coordinator, settings, owner)
    minor = reviews.add_version(db_session, coordinator, settings, document, pdf(b"typo"),
                                label="1.1", change="minor", summary="Typos.", today=TODAY)
    reviews.make_current(db_session, coordinator, document, minor.id, None, today=TODAY)
    assert document.current_version is minor


def test_security_level_decision_is_a_review_of_its_own_kind(db_session, settings, controls,
                                                             coordinator, owner):
    policy = register(db_session, coordinator, settings, owner, kind="policy",
                      approving_body="top_management")
    with pytest.raises(Invalid) as error:
        reviews.record_review(db_session, coordinator, settings, policy, reviews.ReviewDetails(
            kind="security_level", reviewed_on=TODAY, outcome="no_change"), today=TODAY)
    assert error.value.field == "approval_body"
    reviews.record_review(db_session, coordinator, settings, policy, reviews.ReviewDetails(
        kind="security_level", reviewed_on=date(2026, 4, 9), outcome="no_change",
        approval_body="top_management", approved_by="Top management",
        approved_on=date(2026, 4, 9)), today=TODAY)
    assert policy.security_level_due == date(2027, 4, 9)
    assert policy.next_review_due == date(2027, 1, 31)  # the regular review is separate


def test_due_soon_and_overdue_lists(db_session, settings, controls, coordinator, owner):
    overdue = register(db_session, coordinator, settings, owner, title="Old plan",
                       kind="plan", approved_on=date(2025, 5, 1))
    soon = register(db_session, coordinator, settings, owner, title="Soon",
                    approved_on=date(2025, 7, 1))
    register(db_session, coordinator, settings, owner, title="Later",
             approved_on=date(2026, 5, 1))
    items = service.due_items(db_session, coordinator, today=TODAY, warning_days=30)
    assert [(i.document.title, i.state) for i in items] == [("Old plan", "overdue"),
                                                            ("Soon", "due_soon")]
    found, total = service.list_documents(db_session, coordinator,
                                          DocumentFilter(due="overdue"), Page(),
                                          today=TODAY, warning_days=30)
    assert [d.id for d in found] == [overdue.id] and total == 1
    found, _ = service.list_documents(db_session, coordinator,
                                      DocumentFilter(due_before=date(2026, 7, 2)), Page(),
                                      today=TODAY, warning_days=30)
    assert {d.id for d in found} == {overdue.id, soon.id}


def test_withdrawal_ends_the_cycle(db_session, settings, controls, coordinator, owner):
    document = register(db_session, coordinator, settings, owner)
    reviews.record_review(db_session, coordinator, settings, document, reviews.ReviewDetails(
        reviewed_on=TODAY, outcome="withdrawn"), today=TODAY)
    assert document.status == "withdrawn" and document.next_review_due is None


def test_refused_input_names_the_field_and_stores_nothing(db_session, settings, controls,
                                                          coordinator, owner, evidence_dir):
    with pytest.raises(Invalid) as error:
        register(db_session, coordinator, settings, owner, controls=["nope:X"])
    assert error.value.field == "controls"
    with pytest.raises(Invalid) as error:
        register(db_session, coordinator, settings, owner, approved_on=date(1980, 1, 1))
    assert error.value.field == "approved_on"
    assert db_session.scalar(select(Evidence.id)) is None
    assert not evidence_dir.exists() or not any(p.is_file() for p in evidence_dir.rglob("*")
                                                if ".tmp" not in p.parts)
