"""The register's sub-processors as the ISAE 3000 report prints them (activity F.5).

One function, plain data out, so the report code needs to know nothing of the register's
models: name, registration number, address and the description of the processing in the
report's language, for the sub-processors in use at some time during the report's period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from . import countries
from .models import Status, SubProcessor

REGISTRATION_LABEL = {"da": {"DK": "CVR-nr."}, "en": {"DK": "CVR no."}}
OTHER_REGISTRATION = {"da": "reg.nr.", "en": "reg. no."}


@dataclass(frozen=True)
class ReportSubProcessor:
    """One sub-processor as the report lists it; `line` is the printed bullet."""

    name: str
    registration_number: str
    address: str
    country: str
    processing: str
    start_date: date
    end_date: date | None

    @property
    def line(self) -> str:
        """"Name, CVR no. 12345678, address, country: what they process"."""
        parts = [self.name, self.registration_number, self.address, self.country]
        return ", ".join(part for part in parts if part) + f": {self.processing}"


def subprocessors_for_report(session: Session, period_start: date | None, period_end: date,
                             lang: str) -> list[ReportSubProcessor]:
    """Sub-processors used at some time in [period_start, period_end], by name: one query.

    A type 1 report (no `period_start`) covers the single date `period_end`. Proposed
    sub-processors (not yet in use) are left out.
    """
    lang = "da" if str(lang).startswith("da") else "en"
    start = period_start or period_end
    rows = session.scalars(select(SubProcessor).where(
        SubProcessor.status != Status.PROPOSED, SubProcessor.start_date <= period_end,
        or_(SubProcessor.end_date.is_(None), SubProcessor.end_date >= start))
        .order_by(SubProcessor.name, SubProcessor.id))
    return [ReportSubProcessor(
        name=sp.name,
        registration_number=(REGISTRATION_LABEL[lang].get(sp.country, OTHER_REGISTRATION[lang])
                             + " " + sp.registration_number),
        address=" ".join((sp.address or "").split()), country=countries.name(sp.country, lang),
        processing=" ".join((sp.text("processing", lang) or "").split()),
        start_date=sp.start_date, end_date=sp.end_date) for sp in rows]
