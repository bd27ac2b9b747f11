"""Gathers an incident into the plain data the notification PDF prints (`pdf.py`)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy.orm import Session

from . import clocks
from .notifications import first_submissions
from .pdf import NotificationDocument, SubmissionLine, build_notification


def organisation(session: Session) -> str:
    """The organisation's name from its profile, else from configuration."""
    from ..reports.models import OrganisationProfile

    profile = session.get(OrganisationProfile, 1)
    return profile.name if profile else current_app.config["KONTROL_ORGANISATION"]


def notification_document(session: Session, incident, lang: str, tz: ZoneInfo,
                          today: date) -> NotificationDocument:
    """The notification of a breach as plain data, texts in `lang` (falling back)."""
    def when(value):
        return clocks.format_instant(value, tz) if value else None

    firsts = first_submissions(incident)
    deadlines, late, reason, notified = [], False, "", []
    for controller, clock in incident.clocks():
        first = firsts.get(controller.id if controller else None)
        deadlines.append((controller.name if controller else "", when(clock.due)))
        if first is not None:
            notified.append(when(first.submitted_at) if controller is None
                            else f"{controller.name}: {when(first.submitted_at)}")
            if clocks.is_late(clock.due, first.submitted_at):
                late = True
                reason = reason or first.text("delay_reason", lang)
    return NotificationDocument(
        lang=lang, organisation=organisation(session), reference=f"#{incident.id}",
        title=incident.title, role=incident.role, detected=when(incident.detected_at),
        became_aware=when(incident.became_aware_at) or "–", deadlines=tuple(deadlines),
        notified="; ".join(notified) or None, late=late,
        nature=incident.text("nature", lang),
        subject_categories=incident.text("subject_categories", lang),
        subjects_approx=incident.subjects_approx,
        record_categories=incident.text("record_categories", lang),
        records_approx=incident.records_approx, contact_point=incident.contact_point or "",
        consequences=incident.text("consequences", lang), measures=incident.text("measures", lang),
        delay_reason=reason,
        submissions=tuple(SubmissionLine(
            sent=when(s.submitted_at), recipient=s.controller.name if s.controller else None,
            phase=s.phase, reference=s.reference or "") for s in incident.submissions),
        subjects_decision=incident.subjects_decision,
        subjects_reason=incident.text("subjects_reason", lang),
        subjects_informed=when(incident.subjects_informed_at), zone=tz.key, generated_on=today)


def notification_pdf(session: Session, incident, lang: str, tz: ZoneInfo, today: date) -> bytes:
    """The notification as PDF bytes."""
    return build_notification(notification_document(session, incident, lang, tz, today))
