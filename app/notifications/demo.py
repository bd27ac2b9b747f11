"""Demo annual wheel for Nordlys Statistik A/S: the seven recurring duties of the ISMS year.

Each starts on 1 January last year; every occurrence that fell due more than ten days ago is
completed with a short evidence file, except the IT contingency test's latest, left overdue so
the wheel and `/deadlines` show one. Seeded once: skipped when any duty exists.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..auth.actors import CLI
from ..catalogue.models import Control
from ..evidence.service import Upload
from ..time import local_today
from . import recurrence, wheel
from .models import Duty

# (English, Danish, rule, owner role, control keys, description en, description da)
DUTIES = (
    ("Management decision on the security level", "Ledelsens beslutning om sikkerhedsniveauet",
     "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=31", "coordinator",
     ("iso27001-2022:A.5.1", "soa-extensions:X.14"),
     "Top management decides the security level for the coming year (policy §5).",
     "Den øverste ledelse beslutter sikkerhedsniveauet for det kommende år (politikken §5)."),
    ("Annual penetration test of external systems", "Årlig penetrationstest af eksterne systemer",
     "FREQ=YEARLY;BYMONTH=10;BYMONTHDAY=15", "control_owner",
     ("soa-extensions:X.12", "iso27001-2022:A.8.8"),
     "An external firm tests every externally facing system; findings go to risk management.",
     "Et eksternt firma tester alle eksternt vendte systemer; fund går til risikostyringen."),
    ("Awareness campaign", "Awareness-kampagne", "FREQ=YEARLY;BYMONTH=2,9;BYMONTHDAY=28",
     "coordinator", ("iso27001-2022:A.6.3",),
     "Spring and autumn campaigns for all staff, with a short quiz.",
     "Forårs- og efterårskampagne for alle medarbejdere med en kort quiz."),
    ("Internal audit plan", "Intern revisionsplan", "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=31",
     "coordinator", ("soa-extensions:X.15", "iso27001-2022:A.5.35"),
     "The year's internal supervision by sampling, approved by the security committee.",
     "Årets interne tilsyn ved stikprøver, godkendt af sikkerhedsudvalget."),
    ("Review of the Statement of Applicability", "Gennemgang af anvendelseserklæringen",
     "FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=30", "coordinator", ("iso27001-2022:A.5.36",),
     "Every control's applicability, justification and status checked and approved.",
     "Alle kontrollers relevans, begrundelse og status gennemgået og godkendt."),
    ("ISAE 3000 engagement kick-off", "Opstart af ISAE 3000-erklæringsopgaven",
     "FREQ=YEARLY;BYMONTH=9;BYMONTHDAY=1", "coordinator", ("isae3000-gdpr:A.1",),
     "Kick-off meeting with the audit firm: period, scope, PBC list and dates.",
     "Opstartsmøde med revisionsfirmaet: periode, omfang, PBC-liste og datoer."),
    ("IT contingency test", "Test af it-beredskabsplanen", "FREQ=YEARLY;BYMONTH=11;BYMONTHDAY=20",
     "control_owner", ("iso27001-2022:A.5.30", "soa-extensions:X.10"),
     "Emergency operation at the external site is tested and the plan updated.",
     "Nøddrift på det eksterne site testes, og planen opdateres."),
)
LEFT_OPEN = "IT contingency test"


def _report(title: str, on: date) -> Upload:
    body = f"{title}\nNordlys Statistik A/S\nDone {on.isoformat()}\n\nDemo record.\n".encode()
    return Upload(io.BytesIO(body), f"{title.lower().replace(' ', '-')}-{on}.txt", "text/plain")


def seed_wheel(session: Session, users_by_role: dict) -> list[str]:
    """Add the seven duties once, with last year's and this year's completions."""
    from ..evidence.views import settings

    coordinator = users_by_role.get("coordinator")
    if coordinator is None or session.scalar(select(Control.id).where(
            Control.key == "iso27001-2022:A.5.1")) is None:
        return ["annual wheel: no catalogue loaded; demo duties skipped"]
    if session.scalar(select(Duty.id).limit(1)) is not None:
        return []
    known = set(session.scalars(select(Control.key)))
    today = local_today()
    evidence = settings(current_app)
    completed = 0
    for title_en, title_da, rule, role, keys, text_en, text_da in DUTIES:
        owner = users_by_role.get(role) or coordinator
        duty = wheel.create_duty(session, CLI, wheel.DutyDetails(
            title_en=title_en, title_da=title_da, rrule=rule,
            starts_on=date(today.year - 1, 1, 1), owner_id=owner.id,
            controls=[k for k in keys if k in known], description_en=text_en,
            description_da=text_da))
        while duty.next_due_on is not None and duty.next_due_on < today - timedelta(days=10):
            following = recurrence.next_occurrence(duty.rrule, duty.starts_on, duty.next_due_on)
            if title_en == LEFT_OPEN and (following is None or following >= today):
                break
            done_on = duty.next_due_on - timedelta(days=3)
            wheel.complete_duty(session, coordinator, duty, wheel.Completion(
                due_on=duty.next_due_on, completed_on=done_on, note="Done as planned.",
                upload=_report(title_en, done_on)), evidence, today)
            completed += 1
    return [f"annual wheel: {len(DUTIES)} duties, {completed} completions"]
