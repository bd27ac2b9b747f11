"""The annual wheel (årshjul): recurring ISMS duties, their completion and the year's picture.

A duty recurs by an RFC 5545 rule (`recurrence.py`); `Duty.next_due_on` is the open
occurrence. Completing it needs evidence, kept by the evidence service (one file store: an
upload becomes an evidence item for the duty's controls, or an existing item is chosen); the
completion is recorded and the next occurrence scheduled in one unit of work. Everything is
checked before the file is stored, because the evidence service commits the item itself.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from ..auth.permissions import Permission, Role, can, require
from ..errors import Forbidden, NotFound
from ..evidence import service as evidence_service
from ..evidence.models import Evidence
from ..evidence.service import N_, EvidenceSettings, Upload, invalid
from ..governance.common import controls as checked_controls
from ..governance.common import fresh, person, unit_of_work
from ..ledger.service import append
from . import recurrence
from .deadlines import Deadline, Policy, State, end_of_day, state
from .models import Duty, DutyCompletion

MAX_TITLE = 200
MAX_TEXT = 5000
WHEEL_KIND = "annual_duty"


@dataclass(frozen=True)
class DutyDetails:
    """What is said about a duty, by a form or an API client."""

    title_en: str
    title_da: str
    rrule: str
    starts_on: date | None
    owner_id: int | None = None
    controls: Sequence[str] | str = ()
    description_en: str | None = None
    description_da: str | None = None
    active: bool = True


@dataclass(frozen=True)
class Completion:
    """A duty's occurrence done: the occurrence, the day, the evidence (a file or an item)."""

    due_on: date | None
    completed_on: date | None
    note: str | None = None
    evidence_id: int | None = None
    upload: Upload | None = None


def _text(value: str | None, name: str, limit: int, *, required: bool = False) -> str | None:
    value = " ".join((value or "").split()) if limit <= MAX_TITLE else (value or "").strip()
    if required and not value:
        raise invalid(name, N_("Fill in this field."))
    if len(value) > limit:
        raise invalid(name, N_("Keep it under %(max)d characters."), max=limit)
    return value or None


def _checked(session: Session, details: DutyDetails, duty: Duty | None) -> dict:
    values = {"title_en": _text(details.title_en, "title_en", MAX_TITLE, required=True),
              "title_da": _text(details.title_da, "title_da", MAX_TITLE, required=True),
              "description_en": _text(details.description_en, "description_en", MAX_TEXT),
              "description_da": _text(details.description_da, "description_da", MAX_TEXT)}
    if details.starts_on is None:
        raise invalid("starts_on", N_("Give the date the duty starts from."))
    try:
        recurrence.parse(details.rrule, details.starts_on)
    except recurrence.RuleError as error:
        field_name = "starts_on" if "start date" in str(error) else "rrule"
        raise invalid(field_name, str(error)) from None
    values["rrule"] = details.rrule.strip().removeprefix("RRULE:").strip()
    values["starts_on"] = details.starts_on
    owner = person(session, details.owner_id, "owner_id")
    values["owner_id"] = owner.id
    values["controls"] = checked_controls(session, details.controls,
                                          keep=duty.controls if duty else ())
    values["active"] = bool(details.active)
    return values


def _schedule(duty: Duty) -> None:
    """Set the open occurrence: the first after the last one completed (or from the start)."""
    last = max((c.due_on for c in duty.completions), default=None)
    duty.next_due_on = recurrence.next_occurrence(duty.rrule, duty.starts_on, last) \
        if duty.active else None


def create_duty(session: Session, actor, details: DutyDetails) -> Duty:
    """Add a duty to the wheel; its first occurrence is the rule's first from the start."""
    require(actor, Permission.MANAGE_ANNUAL_WHEEL)
    values = _checked(session, details, None)
    with unit_of_work(session):
        duty = Duty(created_by_id=getattr(actor, "id", None), **values)
        session.add(duty)
        _schedule(duty)
        append(session, actor, "duty.created", duty, {
            "title": duty.title_en, "rrule": duty.rrule, "starts_on": duty.starts_on,
            "owner": duty.owner_id, "controls": [c.key for c in duty.controls],
            "next_due_on": duty.next_due_on})
    return duty


def update_duty(session: Session, actor, duty: Duty, details: DutyDetails,
                version: int | None) -> Duty:
    """Change a duty; a new rule or start date reschedules its open occurrence."""
    require(actor, Permission.MANAGE_ANNUAL_WHEEL)
    fresh(duty, version)
    values = _checked(session, details, duty)
    with unit_of_work(session):
        changes = {}
        for name, value in values.items():
            before = getattr(duty, name)
            if name == "controls":
                if [c.key for c in before] != [c.key for c in value]:
                    changes[name] = [c.key for c in value]
            elif before != value:
                changes[name] = value
            setattr(duty, name, value)
        _schedule(duty)
        append(session, actor, "duty.updated", duty, {**changes,
                                                      "next_due_on": duty.next_due_on})
    return duty


def can_complete(actor, duty: Duty) -> bool:
    """Coordinators and admins complete any duty; control owners the duties they own."""
    if not can(actor, Permission.COMPLETE_DUTIES):
        return False
    return getattr(actor, "role", None) != Role.CONTROL_OWNER.value or (
        duty.owner_id is not None and duty.owner_id == getattr(actor, "id", None))


def complete_duty(session: Session, actor, duty: Duty, completion: Completion,
                  settings: EvidenceSettings, today: date) -> DutyCompletion:
    """Record the open occurrence as done, with evidence; schedules the next occurrence."""
    if not can_complete(actor, duty):
        raise Forbidden("You may complete only the duties you own.")
    if duty.next_due_on is None:
        raise invalid("due_on", N_("This duty has no open occurrence."))
    if completion.due_on != duty.next_due_on:
        raise invalid("due_on", N_("That occurrence is no longer open: the duty is now due on "
                                   "%(due)s. Reload the page."), due=duty.next_due_on.isoformat())
    done_on = completion.completed_on
    if done_on is None or not recurrence.FIRST <= done_on <= today:
        raise invalid("completed_on", N_("Give the day it was done (not in the future)."))
    note = _text(completion.note, "note", MAX_TEXT)
    existing = None
    if completion.evidence_id:
        existing = session.get(Evidence, completion.evidence_id) \
            if 0 < completion.evidence_id < 2**31 else None
        if existing is None or not evidence_service.can_read_evidence(actor, existing):
            raise invalid("evidence_id", N_("No evidence #%(id)d."), id=completion.evidence_id)
    elif completion.upload is None:
        raise invalid("file", N_("Attach the evidence: a file, or an existing evidence item."))
    elif not duty.controls:
        raise invalid("file", N_("Link the duty to a control before attaching a file, or "
                                 "choose an existing evidence item."))
    if session.scalar(select(DutyCompletion.id).where(
            DutyCompletion.duty_id == duty.id, DutyCompletion.due_on == completion.due_on)):
        raise invalid("due_on", N_("This occurrence has already been completed."))
    if existing is None:
        try:
            existing = evidence_service.add_file_evidence(
                session, actor, settings, evidence_service.EvidenceDetails(
                    title=f"{duty.title_en} ({completion.due_on.isoformat()})"[:300],
                    controls=[c.key for c in duty.controls], period_start=done_on,
                    description=note, tags=["annual wheel"]), completion.upload)
        except Forbidden:
            raise invalid("file", N_("You may not add evidence to this duty's controls; choose "
                                     "an existing evidence item.")) from None
    with unit_of_work(session):
        row = DutyCompletion(duty=duty, due_on=completion.due_on, completed_on=done_on,
                             completed_by_id=getattr(actor, "id", None), evidence_id=existing.id,
                             note=note)
        session.add(row)
        session.flush()
        _schedule(duty)
        append(session, actor, "duty.completed", duty, {
            "due_on": row.due_on, "completed_on": done_on, "evidence": existing.id,
            "next_due_on": duty.next_due_on})
    return row


# -- reading ----------------------------------------------------------------------------------

def get_duty(session: Session, actor, duty_id: int) -> Duty:
    """One duty with its owner, controls and completions (with their evidence), or NotFound."""
    require(actor, Permission.VIEW_ANNUAL_WHEEL)
    duty = session.scalar(select(Duty).where(Duty.id == duty_id).options(
        joinedload(Duty.owner), selectinload(Duty.controls),
        selectinload(Duty.completions).joinedload(DutyCompletion.completed_by)))
    if duty is None:
        raise NotFound("No such duty.")
    return duty


def completion_evidence(session: Session, duty: Duty) -> dict[int, Evidence]:
    """The evidence items of a duty's completions, by id (one query)."""
    ids = {c.evidence_id for c in duty.completions}
    return {e.id: e for e in session.scalars(select(Evidence).where(Evidence.id.in_(ids)))} \
        if ids else {}


@dataclass(frozen=True)
class Occurrence:
    """One occurrence of a duty in the year shown, with its state."""

    duty: Duty
    due_on: date
    state: str  # a deadlines.State value, or "missed" (passed, never recorded)
    completion: DutyCompletion | None = None


@dataclass
class Wheel:
    """The year: every duty's occurrences, by month and as a list."""

    year: int
    duties: list[Duty]
    occurrences: list[Occurrence] = field(default_factory=list)

    def in_month(self, month: int) -> list[Occurrence]:
        """Occurrences falling in `month` (1–12)."""
        return [o for o in self.occurrences if o.due_on.month == month]


def year_wheel(session: Session, actor, year: int, now: datetime, zone: tzinfo,
               policy: Policy) -> Wheel:
    """Every active duty's occurrences in `year`, coloured by state (three queries)."""
    require(actor, Permission.VIEW_ANNUAL_WHEEL)
    if not recurrence.FIRST.year <= year <= recurrence.LAST.year:
        raise invalid("year", N_("Choose a year between 1990 and 2100."))
    duties = list(session.scalars(select(Duty).where(Duty.active).options(
        joinedload(Duty.owner), selectinload(Duty.controls)).order_by(Duty.title_en, Duty.id)))
    first, last = date(year, 1, 1), date(year, 12, 31)
    done = {(c.duty_id, c.due_on): c for c in session.scalars(select(DutyCompletion).where(
        DutyCompletion.due_on >= first, DutyCompletion.due_on <= last))}
    wheel = Wheel(year, duties)
    window = policy.window_days(WHEEL_KIND)
    for duty in duties:
        for due_on in recurrence.occurrences_in(duty.rrule, duty.starts_on, first, last):
            completion = done.get((duty.id, due_on))
            if completion is not None:
                current = State.DONE.value
            elif due_on == duty.next_due_on:
                current = state(_deadline(duty, zone), now, window, zone).value
            elif duty.next_due_on is None or due_on < duty.next_due_on:
                current = "missed"
            else:
                current = State.UPCOMING.value
            wheel.occurrences.append(Occurrence(duty, due_on, current, completion))
    wheel.occurrences.sort(key=lambda o: (o.due_on, o.duty.title_en))
    return wheel


# -- the picture: positions for the server-side SVG -----------------------------------------

SIZE, CENTRE, RING_OUTER, RING_INNER, TRACK_OUTER, TRACK_INNER = 440, 220, 214, 184, 176, 56


def _point(angle: float, radius: float) -> tuple[float, float]:
    # 0 degrees at twelve o'clock, clockwise (January starts at the top).
    radians = math.radians(angle - 90)
    return (round(CENTRE + radius * math.cos(radians), 1),
            round(CENTRE + radius * math.sin(radians), 1))


def _angle(day: date) -> float:
    start = date(day.year, 1, 1)
    days = (date(day.year + 1, 1, 1) - start).days
    return 360 * ((day - start).days + 0.5) / days


def layout(wheel: Wheel, today: date) -> dict:
    """Month sectors, one track per duty and a dot per occurrence, as SVG coordinates."""
    months = []
    for month in range(1, 13):
        a0, a1 = 30 * (month - 1), 30 * month
        p = [_point(a0, RING_OUTER), _point(a1, RING_OUTER), _point(a1, RING_INNER),
             _point(a0, RING_INNER)]
        path = (f"M{p[0][0]},{p[0][1]} A{RING_OUTER},{RING_OUTER} 0 0 1 {p[1][0]},{p[1][1]} "
                f"L{p[2][0]},{p[2][1]} A{RING_INNER},{RING_INNER} 0 0 0 {p[3][0]},{p[3][1]} Z")
        label = _point(a0 + 15, (RING_OUTER + RING_INNER) / 2)
        divider = (_point(a0, TRACK_INNER - 6), _point(a0, RING_INNER))
        months.append({"month": date(wheel.year, month, 1), "path": path, "label": label,
                       "divider": divider})
    count = max(len(wheel.duties), 1)
    step = (TRACK_OUTER - TRACK_INNER) / count
    tracks = {duty.id: TRACK_OUTER - step * (index + 0.5)
              for index, duty in enumerate(wheel.duties)}
    dot = max(3.0, min(9.0, step / 2.4))
    dots = [{"occurrence": o, "xy": _point(_angle(o.due_on), tracks[o.duty.id]), "r": dot}
            for o in wheel.occurrences if o.duty.id in tracks]
    hand = _point(_angle(today), RING_INNER) if today.year == wheel.year else None
    return {"size": SIZE, "centre": CENTRE, "months": months, "dots": dots, "hand": hand,
            "tracks": [{"duty": d, "r": round(tracks[d.id], 1)} for d in wheel.duties],
            "inner": TRACK_INNER}


# -- the provider ---------------------------------------------------------------------------

def _deadline(duty: Duty, zone: tzinfo, due_on: date | None = None,
              done_at: datetime | None = None) -> Deadline:
    due_on = due_on or duty.next_due_on
    return Deadline(WHEEL_KIND, "duty", duty.id, duty.title_en, end_of_day(due_on, zone),
                    tuple(i for i in (duty.responsible_id,) if i), "notifications.show_duty",
                    {"duty_id": duty.id}, done_at=done_at, title_da=duty.title_da)


def wheel_deadlines(session: Session, context) -> list[Deadline]:
    """Open occurrences of active duties, and those completed recently (two queries)."""
    result = [_deadline(duty, context.zone) for duty in session.scalars(
        select(Duty).where(Duty.active, Duty.next_due_on.is_not(None)))]
    for completion in session.scalars(select(DutyCompletion).where(
            DutyCompletion.completed_at >= context.done_since).options(
            joinedload(DutyCompletion.duty))):
        result.append(_deadline(completion.duty, context.zone, completion.due_on,
                                completion.completed_at))
    return result
