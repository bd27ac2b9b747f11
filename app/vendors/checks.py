"""Shared pieces of the vendor services: input checks, who may follow up, evidence files.

Messages meant for people are built with `invalid(field, N_("… %(x)s"), x=…)` as in the
evidence service: the English text is the message the API and CLI show; views translate the
template with its parameters.

Files (a statement, a transfer impact assessment, follow-up notes) are stored through the
evidence service as evidence items for the ISAE activity they document, so there is one file
store and an auditor finds them under the control too. That service commits the evidence item
itself, so callers check all their input first and store the file last before their own write.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..auth.permissions import Permission, Role, can, require
from ..catalogue.models import Catalogue, Control, ControlGroup
from ..db import committed
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..evidence import service as evidence_service
from ..evidence.models import Evidence
from ..evidence.service import N_, EvidenceSettings, Upload, invalid
from . import rules

__all__ = ["N_", "invalid", "Upload"]

ISAE_CATALOGUE = "isae3000-gdpr"
MAX_NAME = 200
MAX_TEXT = 20_000
MAX_ITEMS = 30
MAX_ITEM = 200
_LIST_SPLIT = re.compile(r"[\n;]+")
# NUL and other control characters (tab and line breaks aside) cannot be stored in PostgreSQL
# text or printed in a report.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class VendorContext:
    """What every vendor service needs beside its input: today, the follow-up policy, files."""

    today: date
    policy: Mapping[str, rules.FollowUpRule] = field(default_factory=lambda: dict(
        rules.DEFAULT_FOLLOW_UP))
    evidence: EvidenceSettings | None = None


# -- units of work --------------------------------------------------------------------------

@contextmanager
def unit_of_work(session: Session, what: str = "record") -> Iterator[None]:
    """Commit what the block wrote; roll back on any error (a concurrent edit is Conflict)."""
    with committed(session, lambda: Conflict(f"Someone else changed this {what} at the same "
                                             "time. Reload and retry.")):
        yield


def check_version(row, version: int, what: str) -> None:
    """Refuse an edit made on a stale copy (optimistic locking)."""
    if version != row.version:
        raise Conflict(f"Someone else changed this {what} since you opened it. Reload the "
                       "page to see their change, then edit again.")


# -- text, lists and dates ------------------------------------------------------------------

def _printable(field_name: str, value: str) -> str:
    if CONTROL.search(value):
        raise invalid(field_name, N_("Remove the control characters from this text."))
    return value


def text(field_name: str, value: str | None, message: str, maximum: int = MAX_TEXT) -> str:
    """Required text, whitespace-trimmed, at most `maximum` characters."""
    value = _printable(field_name, (value or "").strip())
    if not value:
        raise invalid(field_name, message)
    if len(value) > maximum:
        raise invalid(field_name, N_("Keep this under %(max)d characters."), max=maximum)
    return value


def optional_text(field_name: str, value: str | None, maximum: int = MAX_TEXT) -> str | None:
    """Optional text, trimmed; None when empty."""
    value = _printable(field_name, (value or "").strip())
    if len(value) > maximum:
        raise invalid(field_name, N_("Keep this under %(max)d characters."), max=maximum)
    return value or None


def one_line(value: str | None) -> str:
    """Text with runs of whitespace (newlines too) folded into one space."""
    return " ".join((value or "").split())


def items(field_name: str, value: Sequence[str] | str | None) -> list[str]:
    """A list from a sequence or from text with one item per line (or separated by ;)."""
    raw = _LIST_SPLIT.split(value) if isinstance(value, str) else list(value or ())
    result: list[str] = []
    for item in raw:
        item = one_line(_printable(field_name, str(item)))
        if item and item not in result:
            result.append(item)
    if len(result) > MAX_ITEMS or any(len(item) > MAX_ITEM for item in result):
        raise invalid(field_name, N_("Give at most %(count)d items of at most %(length)d "
                                     "characters each."), count=MAX_ITEMS, length=MAX_ITEM)
    return result


def day(field_name: str, value: date | None, message: str | None = None) -> date | None:
    """A date within the years the register accepts; `message` makes it required."""
    if value is None:
        if message:
            raise invalid(field_name, message)
        return None
    if not rules.FIRST_YEAR <= value.year <= rules.LAST_YEAR:
        raise invalid(field_name, N_("Give a date between %(first)d and %(last)d."),
                      first=rules.FIRST_YEAR, last=rules.LAST_YEAR)
    return value


def not_future(field_name: str, value: date, today: date) -> date:
    """Refuse a date after today (something that has not happened yet)."""
    if value > today:
        raise invalid(field_name, N_("This date is in the future; record it once it has "
                                     "happened."))
    return value


def choice(field_name: str, value: str | None, allowed, message: str) -> str:
    """One of `allowed` (an enum class or iterable of strings)."""
    values = {str(v) for v in allowed}
    if value not in values:
        raise invalid(field_name, message)
    return value


# -- who may follow up ----------------------------------------------------------------------

def owns_fg_activity(session: Session, actor) -> bool:
    """Whether `actor` owns a control activity of ISAE objective F or G."""
    return session.scalar(
        select(Control.id).join(ControlGroup, ControlGroup.id == Control.group_id)
        .join(Catalogue, Catalogue.id == Control.catalogue_id)
        .where(Catalogue.slug == ISAE_CATALOGUE, ControlGroup.code.in_(("F", "G")),
               Control.owner_id == getattr(actor, "id", None), Control.retired_at.is_(None))
        .limit(1)) is not None


def can_follow_up(session: Session, actor) -> bool:
    """Coordinators and admins; control owners who own an F or G activity."""
    if not can(actor, Permission.RECORD_SUBPROCESSOR_FOLLOW_UP):
        return False
    if getattr(actor, "role", None) == Role.CONTROL_OWNER.value:
        return owns_fg_activity(session, actor)
    return True


def require_follow_up(session: Session, actor) -> None:
    """Raise Forbidden unless `actor` may record statements, follow-ups and notices."""
    require(actor, Permission.RECORD_SUBPROCESSOR_FOLLOW_UP)
    if not can_follow_up(session, actor):
        raise Forbidden("Only the coordinator and the owners of the ISAE objective F and G "
                        "activities record sub-processor follow-ups.")


# -- evidence -------------------------------------------------------------------------------

def _evidence_controls(session: Session, actor, code: str) -> list[Control]:
    wanted = session.scalar(select(Control).where(Control.key == f"{ISAE_CATALOGUE}:{code}"))
    if wanted is not None and evidence_service.can_add_evidence_to(actor, wanted):
        return [wanted]
    owned = session.scalars(
        select(Control).join(ControlGroup, ControlGroup.id == Control.group_id)
        .join(Catalogue, Catalogue.id == Control.catalogue_id)
        .where(Catalogue.slug == ISAE_CATALOGUE, ControlGroup.code.in_(("F", "G")),
               Control.owner_id == getattr(actor, "id", None), Control.retired_at.is_(None))
        .order_by(Control.position).limit(1)).all()
    if owned:
        return owned
    if wanted is None:
        raise invalid("file", N_("Load the ISAE 3000 catalogue before attaching files: they "
                                 "are kept as evidence for activity %(code)s."), code=code)
    raise Forbidden(f"You may not add evidence to activity {code}.")


def store_file(session: Session, actor, ctx: VendorContext, upload: Upload, *, title: str,
               code: str, period: tuple[date, date], field_name: str = "file") -> Evidence:
    """Store `upload` as file evidence for ISAE activity `code` (e.g. F.6); commits it."""
    if ctx.evidence is None:
        raise RuntimeError("store_file needs VendorContext.evidence")
    controls = _evidence_controls(session, actor, code)
    details = evidence_service.EvidenceDetails(
        title=title[:300], controls=[c.key for c in controls], period_start=period[0],
        period_end=period[1], tags=["sub-processor"])
    try:
        return evidence_service.add_file_evidence(session, actor, ctx.evidence, details, upload)
    except Invalid as error:
        if error.field == "file":
            error.field = field_name
        raise


def existing_evidence(session: Session, actor, evidence_id: int | None,
                      field_name: str = "evidence_id") -> Evidence | None:
    """An evidence item the actor may read, by id (None for None)."""
    if evidence_id is None:
        return None
    evidence = session.get(Evidence, evidence_id)
    if evidence is None or not evidence_service.can_read_evidence(actor, evidence):
        raise invalid(field_name, N_("No evidence #%(id)d."), id=evidence_id)
    return evidence


def get_or_404(session: Session, model, object_id: int, message: str):
    """A row by primary key or NotFound."""
    row = session.get(model, object_id)
    if row is None:
        raise NotFound(message)
    return row
