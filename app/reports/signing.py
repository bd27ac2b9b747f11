"""Writing, signing and issuing the ISAE 3000 report.

- The organisation edits section 1's introduction and records management's signature (name,
  title in both languages, place, date); the firm's auditors edit section 2's sections and
  judge objectives not achieved; the engagement partner signs the auditor's report.
- A change the auditor's signature rests on (a test reopened or re-worded, a section edited,
  management's statement changed) withdraws that signature, in the ledger.
- Issue checks that everything is there (`readiness`), renders the PDFs once per language,
  keeps them in the evidence store with their SHA-256 in the ledger, and freezes the engagement;
  every later download serves those bytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..audits.access import (
    can_issue,
    can_manage_statement,
    can_perform,
    can_sign_report,
    can_write_report,
)
from ..audits.models import Conclusion, Engagement, EngagementStatus, ObjectiveExclusion
from ..db import utcnow
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..evidence.storage import EvidenceStore
from ..ledger.service import append
from ..time import zone
from . import texts
from .assurance import (
    LANGS,
    N_,
    Missing,
    ReportContext,
    build_report,
    facts,
    load_context,
    missing_texts,
)
from .models import IssuedReport, ObjectiveOpinion, ReportSignature, ReportText, SignatureParty
from .pdf import build_isae_report

MAX_SECTION = 20_000
EARLIEST, LATEST = date(1990, 1, 1), date(2100, 12, 31)


class NotReady(Conflict):
    """The report cannot be signed or issued yet; `missing` says what is lacking."""

    def __init__(self, missing: list[Missing]):
        super().__init__("The report cannot be issued yet: "
                         + "; ".join(item.message for item in missing))
        self.missing = missing


# --- what is missing ------------------------------------------------------------------------

def _codes(tests) -> str:
    codes = [t.control.code for t in tests]
    return ", ".join(codes[:12]) + (f" … (+{len(codes) - 12})" if len(codes) > 12 else "")


def readiness(ctx: ReportContext, langs=LANGS, *, signing: bool = False) -> list[Missing]:
    """Everything that keeps the report from being issued (or, `signing`, signed) in `langs`."""
    engagement, missing = ctx.engagement, []
    if engagement.status != EngagementStatus.REVIEW:
        missing.append(Missing(N_("Move the engagement to review first (its status is "
                                  "%(status)s)."), {"status": engagement.status}))
    if engagement.firm is None:
        missing.append(Missing(N_("The engagement has no audit firm.")))
    if ctx.partner is None or not ctx.partner.mne:
        missing.append(Missing(N_("The engagement has no engagement partner with an MNE number.")))
    open_tests = [t for t in ctx.tests if t.conclusion == Conclusion.OPEN]
    if open_tests:
        missing.append(Missing(N_("%(count)s test(s) not concluded: %(codes)s."),
                               {"count": len(open_tests), "codes": _codes(open_tests)}))
    firm_ids = engagement.firm.member_ids() if engagement.firm else set()
    unreviewed = [t for t in ctx.tests if t.is_concluded
                  and (t.reviewed_at is None or t.reviewed_by_id not in firm_ids)]
    if unreviewed:
        missing.append(Missing(N_("%(count)s test(s) not reviewed by the audit firm: %(codes)s."),
                               {"count": len(unreviewed), "codes": _codes(unreviewed)}))
    statement = ctx.signatures.get(SignatureParty.MANAGEMENT)
    if statement is None:
        missing.append(Missing(N_("Management's statement is not signed (name, title, place "
                                  "and date).")))
    auditor = ctx.signatures.get(SignatureParty.AUDITOR)
    if not signing:
        if auditor is None:
            missing.append(Missing(N_("The auditor's report is not signed by the engagement "
                                      "partner (place and date).")))
        elif statement is not None and statement.signed_on > auditor.signed_on:
            missing.append(Missing(N_("Management's statement is dated after the auditor's "
                                      "report.")))
    missing.extend(missing_texts(ctx, langs))
    return missing


# --- texts and judgements -------------------------------------------------------------------

def _signature(session: Session, engagement: Engagement, party: str) -> ReportSignature | None:
    return session.scalar(select(ReportSignature).where(
        ReportSignature.engagement_id == engagement.id, ReportSignature.party == party))


def withdraw_signature(session: Session, actor, engagement: Engagement, party: str,
                       because: str) -> None:
    """Remove a signature after a change it rested on (flushes only)."""
    signature = _signature(session, engagement, party)
    if signature is None:
        return
    append(session, actor, "report.signature_withdrawn", engagement, {
        "party": party, "name": signature.name, "signed_on": signature.signed_on,
        "because": because})
    session.delete(signature)
    session.flush()


def on_audit_change(session: Session, actor, engagement: Engagement, what: str) -> None:
    """audits.service.AFTER_CHANGE hook: the auditor's signature no longer holds."""
    withdraw_signature(session, actor, engagement, SignatureParty.AUDITOR, what)


def _clean(value: str | None, field_name: str, limit: int = MAX_SECTION) -> str | None:
    text = (value or "").strip()
    if len(text) > limit:
        raise Invalid(field_name, f"Keep the text under {limit} characters.")
    return text or None


def section_defaults(ctx: ReportContext) -> dict[str, dict[str, str]]:
    """The default text of every editable section, per language."""
    return {lang: texts.defaults(facts(ctx, lang)) for lang in LANGS}


def save_report_text(session: Session, actor, engagement: Engagement, key: str,
                     text_en: str | None, text_da: str | None, version: int,
                     organisation: str) -> ReportText | None:
    """Replace a section's default text (both empty, or both the default: back to it).

    Section 1's introduction is the organisation's; section 2's sections are the firm's.
    """
    if key in texts.STATEMENT_KEYS:
        allowed = can_manage_statement(actor, engagement)
    elif key in texts.AUDITOR_KEYS:
        allowed = can_write_report(actor, engagement)
    else:
        raise Invalid("key", "Unknown report section.")
    if not allowed:
        raise Forbidden("Management's statement is the organisation's; the auditor's report is "
                        "written by the audit firm's auditors on the engagement."
                        if key in texts.STATEMENT_KEYS or engagement.is_assurance else
                        "Only ISAE 3000 engagements have an auditor's report.")
    row = session.scalar(select(ReportText).where(ReportText.engagement_id == engagement.id,
                                                  ReportText.key == key))
    if (row.version if row else 0) != version:
        raise Conflict("Someone else changed this section. Reload and retry.")
    values = {"text_en": _clean(text_en, "text_en"), "text_da": _clean(text_da, "text_da")}
    defaults = section_defaults(load_context(session, engagement, organisation))
    if all(values[f"text_{lang}"] == defaults[lang].get(key, "").strip() for lang in LANGS):
        values = {"text_en": None, "text_da": None}  # the default, kept live
    if row is None and not any(values.values()):
        return None
    if row is not None and all((getattr(row, k) or None) == v for k, v in values.items()):
        return row
    append(session, actor, "report.text", engagement, {"key": key, **values})
    if not any(values.values()):
        session.delete(row)
        row = None
    else:
        row = row or ReportText(engagement_id=engagement.id, key=key)
        row.text_en, row.text_da = values["text_en"], values["text_da"]
        row.updated_by_id = getattr(actor, "id", None)
        session.add(row)
    session.flush()
    if key in texts.STATEMENT_KEYS:
        withdraw_signature(session, actor, engagement, SignatureParty.MANAGEMENT,
                           f"section {key} edited")
    withdraw_signature(session, actor, engagement, SignatureParty.AUDITOR,
                       f"section {key} edited")
    session.commit()
    return row


def set_objective_opinion(session: Session, actor, engagement: Engagement, group_id: int,
                          achieved: bool, criterion: str | None, reason_en: str | None,
                          reason_da: str | None, organisation: str) -> ObjectiveOpinion | None:
    """The auditor's judgement of a control objective: achieved, or not and why.

    An objective with a test concluded material is not achieved whatever is set here; the
    reason and criterion then refine the basis for the qualified opinion.
    """
    if not can_write_report(actor, engagement):
        raise Forbidden("Only the audit firm's auditors on the engagement judge its objectives.")
    ctx = load_context(session, engagement, organisation)
    entry = next((g for g in ctx.groups if g.group.id == group_id), None)
    if entry is None or entry.exclusion is not None:
        raise Invalid("group_id", "That objective is not tested in this engagement.")
    criterion = "b" if ctx.report_type == 1 else (criterion or "c")
    if criterion not in ("b", "c"):
        raise Invalid("criterion", "Choose criterion b (design) or c (operating "
                                   "effectiveness).")
    reason_en, reason_da = _clean(reason_en, "reason_en", 8000), _clean(reason_da, "reason_da",
                                                                        8000)
    if not achieved and not entry.material() and not (reason_en or reason_da):
        raise Invalid("reason_en", "Say why the objective was not achieved: the basis for the "
                                   "qualified opinion names the deviation.")
    row = entry.opinion
    append(session, actor, "report.objective", engagement, {
        "objective": entry.group.code, "achieved": achieved, "criterion": criterion,
        "reason_en": reason_en, "reason_da": reason_da})
    if achieved and not (reason_en or reason_da):
        if row is not None:
            session.delete(row)
        row = None
    else:
        row = row or ObjectiveOpinion(engagement_id=engagement.id, group_id=group_id)
        row.achieved, row.criterion = achieved, criterion
        row.reason_en, row.reason_da = reason_en, reason_da
        row.updated_by_id = getattr(actor, "id", None)
        session.add(row)
    session.flush()
    withdraw_signature(session, actor, engagement, SignatureParty.AUDITOR,
                       f"objective {entry.group.code} judged")
    session.commit()
    return row


def save_exclusion_reason(session: Session, actor, engagement: Engagement, exclusion_id: int,
                          reason_en: str | None, reason_da: str | None) -> ObjectiveExclusion:
    """Why an objective is not relevant, in both languages (section 4 prints it)."""
    if engagement.is_issued or not (can_perform(actor, engagement)
                                    or can_manage_statement(actor, engagement)):
        raise Forbidden("You may not change this engagement's scope.")
    exclusion = next((e for e in engagement.exclusions if e.id == exclusion_id), None)
    if exclusion is None:
        raise NotFound("No such objective exclusion.")
    values = {"reason_en": _clean(reason_en, "reason_en", 4000),
              "reason_da": _clean(reason_da, "reason_da", 4000)}
    if not any(values.values()):
        raise Invalid("reason_en", "Say why the objective is not relevant.")
    changes = {k: [getattr(exclusion, k), v] for k, v in values.items()
               if getattr(exclusion, k) != v}
    if changes:
        for key, (_old, value) in changes.items():
            setattr(exclusion, key, value)
        append(session, actor, "engagement.exclusion_reason", engagement,
               {"objective": exclusion.group.code, **changes})
        withdraw_signature(session, actor, engagement, SignatureParty.AUDITOR,
                           f"objective {exclusion.group.code} reason changed")
    session.commit()
    return exclusion


# --- signatures -----------------------------------------------------------------------------

@dataclass(frozen=True)
class StatementSignature:
    """Who signed management's statement, where and when."""

    name: str | None
    title_en: str | None
    title_da: str | None
    place: str | None
    signed_on: date | None


def _check_date(value: date | None, engagement: Engagement, today: date) -> date:
    if value is None:
        raise Invalid("signed_on", "Give the date of signing.")
    if not EARLIEST <= value <= LATEST:
        raise Invalid("signed_on", "Give a date between 1990 and 2100.")
    if value < engagement.period_end:
        raise Invalid("signed_on", "The report is signed after the period it covers ends.")
    if value > today:
        raise Invalid("signed_on", "The date of signing cannot lie in the future.")
    return value


def sign_statement(session: Session, actor, engagement: Engagement, details: StatementSignature,
                   today: date) -> ReportSignature:
    """Record that management signed its statement (section 1)."""
    if not can_manage_statement(actor, engagement):
        raise Forbidden("Management's statement is recorded by the organisation.")
    values = {"name": _clean(details.name, "name", 200),
              "title_en": _clean(details.title_en, "title_en", 200),
              "title_da": _clean(details.title_da, "title_da", 200),
              "place": _clean(details.place, "place", 100)}
    for key, message in (("name", "Give the name of the person who signed."),
                         ("title_da", "Give the signatory's title in Danish."),
                         ("title_en", "Give the signatory's title in English."),
                         ("place", "Give the place of signing.")):
        if not values[key]:
            raise Invalid(key, message)
    signed_on = _check_date(details.signed_on, engagement, today)
    row = _signature(session, engagement, SignatureParty.MANAGEMENT) or ReportSignature(
        engagement_id=engagement.id, party=SignatureParty.MANAGEMENT)
    row.name, row.title_en, row.title_da = values["name"], values["title_en"], values["title_da"]
    row.place, row.signed_on = values["place"], signed_on
    row.recorded_by_id = getattr(actor, "id", None)
    session.add(row)
    append(session, actor, "report.statement_signed", engagement,
           {**values, "signed_on": signed_on})
    withdraw_signature(session, actor, engagement, SignatureParty.AUDITOR,
                       "management's statement signed again")
    session.commit()
    return row


def sign_auditor_report(session: Session, actor, engagement: Engagement, place: str | None,
                        signed_on: date | None, today: date,
                        organisation: str) -> ReportSignature:
    """The engagement partner signs section 2, once everything else is there."""
    if not can_sign_report(actor, engagement):
        raise Forbidden("Only the engagement partner signs the auditor's report.")
    place = _clean(place, "place", 100)
    if not place:
        raise Invalid("place", "Give the place of signing.")
    signed_on = _check_date(signed_on, engagement, today)
    ctx = load_context(session, engagement, organisation)
    missing = readiness(ctx, signing=True)
    statement = ctx.signatures.get(SignatureParty.MANAGEMENT)
    if statement is not None and statement.signed_on > signed_on:
        raise Invalid("signed_on", "The auditor's report cannot be dated before management's "
                                   "statement.")
    tz = zone(current_app)  # the review's date where it was made, as the signing date is
    reviewed = [t.reviewed_at.astimezone(tz).date() for t in ctx.tests
                if t.reviewed_at is not None]
    if reviewed and max(reviewed) > signed_on:
        raise Invalid("signed_on", "The auditor's report cannot be dated before the evidence "
                                   f"was reviewed (last review {max(reviewed)}).")
    if missing:
        raise NotReady(missing)
    row = ctx.signatures.get(SignatureParty.AUDITOR) or ReportSignature(
        engagement_id=engagement.id, party=SignatureParty.AUDITOR)
    row.name, row.place, row.signed_on = actor.name, place, signed_on
    row.title_en, row.title_da = texts.STATE_AUTHORISED["en"], texts.STATE_AUTHORISED["da"]
    row.recorded_by_id = actor.id
    session.add(row)
    append(session, actor, "report.auditor_signed", engagement, {
        "partner": actor.email, "mne": ctx.partner.mne if ctx.partner else None,
        "place": place, "signed_on": signed_on})
    session.commit()
    return row


# --- issue ----------------------------------------------------------------------------------

def issue_engagement(session: Session, actor, engagement: Engagement, store: EvidenceStore,
                     organisation: str, langs=LANGS) -> list[IssuedReport]:
    """Issue the ISAE 3000 report: render each language once, keep the bytes, freeze.

    Raises NotReady with the list of what is missing; nothing is written then.
    """
    if not can_issue(actor, engagement):
        if engagement.is_issued:
            raise Conflict("This engagement has been issued and is read-only.")
        raise Forbidden("Only the audit firm's auditors on the engagement issue its report.")
    if not engagement.is_assurance:
        raise Invalid("kind", "Internal engagements are issued from their status.")
    langs = tuple(dict.fromkeys(lang for lang in langs if lang in LANGS)) or LANGS
    ctx = load_context(session, engagement, organisation)
    missing = readiness(ctx, langs)
    if missing:
        raise NotReady(missing)
    signed_on = ctx.signatures[SignatureParty.AUDITOR].signed_on
    issued = []
    for lang in langs:
        data = build_isae_report(build_report(ctx, lang, draft=False, today=signed_on))
        blob = store.store(io.BytesIO(data), len(data) + 1)
        row = IssuedReport(engagement_id=engagement.id, lang=lang, sha256=blob.sha256,
                           size=blob.size, filename=f"isae3000-{engagement.id}-{lang}.pdf")
        session.add(row)
        issued.append(row)
    engagement.status = EngagementStatus.ISSUED.value
    engagement.issued_at = utcnow()
    append(session, actor, "engagement.issued", engagement, {
        "report_date": signed_on, "reports": {r.lang: r.sha256 for r in issued},
        "sizes": {r.lang: r.size for r in issued}})
    session.commit()
    return issued


def issued_reports(session: Session, engagement: Engagement) -> dict[str, IssuedReport]:
    """The frozen PDFs of an issued engagement, by language."""
    return {r.lang: r for r in session.scalars(
        select(IssuedReport).where(IssuedReport.engagement_id == engagement.id))}


def issued_pdf(session: Session, engagement: Engagement, lang: str,
               store: EvidenceStore) -> tuple[bytes, IssuedReport]:
    """The bytes rendered at issue, verified against their SHA-256 (IntegrityError if not)."""
    row = issued_reports(session, engagement).get(lang)
    if row is None:
        raise NotFound(f"The report was not issued in {lang}.")
    with store.open_verified(row.sha256, row.size) as handle:
        return handle.read(), row


def issued_files(session: Session):
    """(sha256, size) of every issued report PDF, for `flask evidence verify`."""
    return session.execute(select(IssuedReport.sha256, IssuedReport.size)).all()
