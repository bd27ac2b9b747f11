"""Helpers the governance services share: settings, input checks, the unit of work, scope.

Messages meant for people are built with `invalid(field, N_("… %(x)s"), x=…)`, as in the
evidence services: the English text is the message (API, CLI); views translate the template.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, tzinfo
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..auth import scope
from ..auth.models import User
from ..auth.permissions import Role
from ..catalogue.models import Control
from ..db import committed
from ..errors import Conflict, Invalid, NotFound
from ..evidence.service import (
    N_,
    EvidenceDetails,
    EvidenceSettings,
    Upload,
    invalid,
    split_keys,
)
from . import rules

__all__ = ["N_", "EvidenceDetails", "Upload", "invalid"]

MAX_TITLE = 300
MAX_NAME = 200
MAX_TEXT = 20_000
MAX_PER_PAGE = 200
# Who may own a document, an assessment, a risk or an adoption.
OWNER_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.CONTROL_OWNER)


@dataclass(frozen=True)
class Settings:
    """Limits and clocks of the registers, built from the app config by the caller."""

    evidence: EvidenceSettings | None = None
    warning_days: int = 30
    emergency_report_days: int = rules.DEFAULT_EMERGENCY_REPORT_DAYS
    risk_scale: int = rules.DEFAULT_SCALE
    zone: tzinfo = field(default_factory=lambda: ZoneInfo("Europe/Copenhagen"))


@dataclass(frozen=True)
class Page:
    """Which slice of a list to show, and in what order."""

    number: int = 1
    per_page: int = 25
    sort: str | None = None
    descending: bool = False

    @property
    def offset(self) -> int:
        """Rows to skip."""
        return (max(1, self.number) - 1) * self.per_page


def paged(session: Session, query, page: Page, order_by: Sequence) -> tuple[list, int]:
    """One page of `query` in `order_by` order, and how many rows match: two queries."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = session.scalars(query.order_by(*order_by).limit(page.per_page)
                           .offset(page.offset)).unique()
    return list(rows), int(total or 0)


def text(value: str | None, name: str, *, required: str | None = None,
         limit: int = MAX_TEXT, single_line: bool = False) -> str | None:
    """Trimmed text (whitespace collapsed for one-line fields); `required` is the message."""
    value = " ".join((value or "").split()) if single_line else (value or "").strip()
    if not value:
        if required:
            raise invalid(name, required)
        return None
    if len(value) > limit:
        raise invalid(name, N_("Keep this under %(max)d characters."), max=limit)
    return value


def day(value: date | None, name: str, *, required: str | None = None,
        not_after: date | None = None) -> date | None:
    """A date between 1990 and 2100 (and not after `not_after`); `required` is the message."""
    if value is None:
        if required:
            raise invalid(name, required)
        return None
    if not rules.in_bounds(value):
        raise invalid(name, N_("Give a date between 1990 and 2100."))
    if not_after is not None and value > not_after:
        raise invalid(name, N_("This date is in the future."))
    return value


def choice(value: str | None, name: str, allowed, message: str) -> str:
    """One of `allowed` (an enum or a collection of strings)."""
    options = [str(option) for option in allowed]
    if value not in options:
        raise invalid(name, message)
    return value


def controls(session: Session, keys: Sequence[str] | str | None, name: str = "controls",
             *, required: bool = False, keep: Sequence[Control] = ()) -> list[Control]:
    """Active controls by key, in the order given; retired ones only if already linked."""
    wanted = split_keys(keys)
    if not wanted:
        if required:
            raise invalid(name, N_("Choose at least one control."))
        return []
    if len(wanted) > 200:
        raise invalid(name, N_("Link at most %(max)d controls."), max=200)
    found = {c.key: c for c in session.scalars(select(Control).where(Control.key.in_(wanted)))}
    unknown = [key for key in wanted if key not in found]
    if unknown:
        raise invalid(name, N_("No control with key %(keys)s."), keys=", ".join(unknown))
    kept = {c.id for c in keep}
    retired = [k for k in wanted if found[k].retired_at is not None and found[k].id not in kept]
    if retired:
        raise invalid(name, N_("Control %(keys)s is retired."), keys=", ".join(retired))
    return [found[key] for key in wanted]


def person(session: Session, user_id: int | None, name: str, *, required: bool = True,
           roles: Sequence[Role] = OWNER_ROLES) -> User | None:
    """An active user of one of `roles`, by id."""
    if not user_id:
        if required:
            raise invalid(name, N_("Choose a person."))
        return None
    user = session.get(User, user_id) if 0 < int(user_id) < 2**31 else None
    if user is None or not user.active or user.role not in {r.value for r in roles}:
        raise invalid(name, N_("Choose an active coordinator, control owner or administrator."))
    return user


def person_by_email(session: Session, email: str | None, name: str = "owner") -> User:
    """The active user with `email` (case-insensitive) who may own register entries."""
    address = (email or "").strip().lower()
    user = session.scalar(select(User).where(func.lower(User.email) == address)) if address \
        else None
    if user is None:
        raise invalid(name, N_("No active user with the e-mail address %(email)s."),
                      email=address or "—")
    return person(session, user.id, name)


def conflict(template: str, **params) -> Conflict:
    """A `Conflict` whose English message is `template % params`, kept translatable."""
    error = Conflict(template % params if params else template)
    error.template, error.params = template, params
    return error


def fresh(obj, version: int | None) -> None:
    """Refuse a write based on a stale copy (optimistic locking)."""
    if version is not None and version != obj.version:
        raise conflict(N_("Someone else changed this record since you opened it. Reload the "
                          "page to see their change, then try again."))


@contextmanager
def unit_of_work(session: Session) -> Iterator[None]:
    """Commit what the block wrote, or roll all of it back (a stale write becomes Conflict)."""
    with committed(session, lambda: Conflict("Someone else changed this record at the same "
                                             "time. Reload and retry.")):
        yield


def visible(periods, start: date | None, end: date | None = None, *,
            open_ended: bool = False) -> None:
    """NotFound unless the object's dates touch the actor's engagement periods."""
    if not scope.touches(periods, start, end, open_ended=open_ended):
        raise NotFound("No such record.")


def stored_minutes(session: Session, actor, settings: Settings, upload: Upload | None,
                   title: str, on: date, keys: Sequence[str]):
    """Store an uploaded file as evidence for `keys` (commits it); None without a file."""
    if upload is None:
        return None
    from ..evidence.service import add_file_evidence

    if settings.evidence is None:
        raise Invalid("file", "Files cannot be stored here.")
    if not keys:
        raise invalid("minutes", N_("Link the record to a control first: files are kept as "
                                    "evidence of its controls."))
    return add_file_evidence(session, actor, settings.evidence, EvidenceDetails(
        title=title[:MAX_TITLE], controls=list(keys), period_start=on), upload)


def version_label(label: str | None) -> str:
    """A version's label such as 7.0, required."""
    return text(label, "label", required=N_("Give the version a label, e.g. 7.0."), limit=40,
                single_line=True)
