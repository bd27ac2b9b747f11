"""Notifications, preferences and calendar feeds: reading and writing them for one person.

Every public writer is one unit of work (check → validate → write → ledger → commit). The
deadlines a page shows come from the providers (`providers.collect`) and are judged by the
pure rules in `deadlines.py`; nothing here decides what is due.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..auth.models import User
from ..auth.permissions import Permission, can, require
from ..db import utcnow
from ..errors import NotFound
from ..evidence.service import N_, invalid
from ..ledger.service import append
from ..routing import MAX_ID
from . import deadlines as rules
from .models import CalendarFeed, Digest, Notification, NotificationPreference
from .providers import KINDS, collect

PER_PAGE = 30
TOKEN_PREFIX = "kcal_"


def make_policy(config: Mapping) -> rules.Policy:
    """The thresholds per kind from the configuration (KONTROL_DEADLINE_THRESHOLDS).

    Evidence expiry and governance reviews start their reminders (and their "due soon") when
    their own warning settings say, so the lists and the reminders agree.
    """
    configured = {
        "evidence_expiry": (f"{int(config.get('KONTROL_EXPIRY_WARNING_DAYS', 30))}d", "7d",
                            "due", "overdue"),
        **{kind: (f"{int(config.get('KONTROL_REVIEW_WARNING_DAYS', 30))}d", "7d", "due",
                  "overdue") for kind in ("document_review", "security_level")},
        **(config.get("KONTROL_DEADLINE_THRESHOLDS") or {}),
    }
    return rules.make_policy(configured)


# -- the deadline list ------------------------------------------------------------------------

@dataclass(frozen=True)
class DeadlineList:
    """What `/deadlines` shows: rows with states, the people named, the choices offered."""

    rows: list[tuple[rules.Deadline, rules.State]]
    people: dict[int, User]
    selection: rules.Selection
    sees_all: bool


def deadline_list(session: Session, actor, selection: rules.Selection, now: datetime,
                  zone: tzinfo, policy: rules.Policy) -> DeadlineList:
    """Everything due that `actor` may see, filtered; a fixed number of queries.

    Those without VIEW_ALL_DEADLINES see only the deadlines they answer for.
    """
    require(actor, Permission.VIEW_DEADLINES)
    sees_all = can(actor, Permission.VIEW_ALL_DEADLINES)
    if not sees_all:
        selection = rules.Selection(selection.kind, actor.id, selection.state)
    if selection.kind is not None and selection.kind not in KINDS:
        raise invalid("kind", N_("Choose a kind from the list."))
    if selection.state is not None and selection.state not in tuple(rules.State):
        raise invalid("state", N_("Choose due soon, overdue, upcoming or done."))
    rows = rules.select(collect(session, now, zone), selection, policy, now, zone)
    people = {u.id: u for u in session.scalars(select(User).where(User.active).order_by(
        User.name))}
    return DeadlineList(rows, people, selection, sees_all)


def deadlines_of(session: Session, user: User, now: datetime, zone: tzinfo
                 ) -> list[rules.Deadline]:
    """The open deadlines `user` answers for, soonest first (the calendar feed's events)."""
    return sorted((d for d in collect(session, now, zone)
                   if user.id in d.responsible and d.done_at is None),
                  key=lambda d: (d.due_at, d.kind, d.object_id))


# -- notifications ----------------------------------------------------------------------------

def unread_count(session: Session, user_id: int | None) -> int:
    """How many of the user's notifications are unread (one query)."""
    if not user_id:
        return 0
    return session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def list_notifications(session: Session, actor, *, page: int = 1, per_page: int = PER_PAGE,
                       unread_only: bool = False) -> tuple[list[Notification], int]:
    """The actor's notifications, newest first, and how many there are (two queries)."""
    require(actor, Permission.SIGNED_IN)
    query = select(Notification).where(Notification.user_id == actor.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = max(1, min(int(page), 10_000))
    rows = session.scalars(query.order_by(Notification.created_at.desc(),
                                          Notification.id.desc())
                           .limit(per_page).offset((page - 1) * per_page))
    return list(rows), total


def _own(session: Session, actor, notification_id: int) -> Notification:
    require(actor, Permission.SIGNED_IN)
    row = session.get(Notification, notification_id) if 0 < notification_id <= MAX_ID else None
    if row is None or row.user_id != getattr(actor, "id", None):
        raise NotFound("No such notification.")
    return row


def mark_read(session: Session, actor, notification_id: int) -> Notification:
    """Mark one of the actor's notifications read (again is harmless); NotFound otherwise."""
    row = _own(session, actor, notification_id)
    try:
        if row.read_at is None:
            row.read_at = utcnow()
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return row


def mark_all_read(session: Session, actor) -> int:
    """Mark every unread notification of the actor read; returns how many."""
    require(actor, Permission.SIGNED_IN)
    try:
        result = session.execute(update(Notification).where(
            Notification.user_id == actor.id, Notification.read_at.is_(None)).values(
            read_at=utcnow()))
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return result.rowcount or 0


# -- preferences ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Preferences:
    """Which kinds reach the user by e-mail, and how often."""

    email_kinds: tuple[str, ...]
    digest: str


def preferences(session: Session, user_id: int) -> Preferences:
    """The user's preferences; by default every kind, one digest after each scan."""
    row = session.get(NotificationPreference, user_id)
    if row is None:
        return Preferences(tuple(KINDS), Digest.IMMEDIATE.value)
    return Preferences(tuple(row.email_kinds or ()), row.digest)


def save_preferences(session: Session, actor, email_kinds: Iterable[str], digest: str
                     ) -> Preferences:
    """Store which kinds the actor wants by e-mail and how often."""
    require(actor, Permission.SIGNED_IN)
    kinds = [k for k in dict.fromkeys(email_kinds or ()) if k]
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise invalid("email_kinds", N_("Unknown kind: %(kinds)s."), kinds=", ".join(unknown))
    if digest not in tuple(Digest):
        raise invalid("digest", N_("Choose immediate or daily."))
    try:
        row = session.get(NotificationPreference, actor.id)
        if row is None:
            row = NotificationPreference(user_id=actor.id)
            session.add(row)
        row.email_kinds, row.digest = kinds, digest
        append(session, actor, "notification_preference.saved", None,
               {"email_kinds": kinds, "digest": digest}, entity_type="user",
               entity_id=str(actor.id))
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return Preferences(tuple(kinds), digest)


# -- calendar feed ----------------------------------------------------------------------------

def calendar_token(feed: CalendarFeed, secret_key: str) -> str:
    """The feed's token: HMAC of user and nonce under the app's secret key (never stored)."""
    digest = hmac.new(secret_key.encode(), f"calendar:{feed.user_id}:{feed.nonce}".encode(),
                      hashlib.sha256).hexdigest()
    return TOKEN_PREFIX + digest[:40]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def calendar_feed(session: Session, user_id: int) -> CalendarFeed | None:
    """The user's calendar feed, if they made one."""
    return session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user_id))


def create_calendar_feed(session: Session, actor, secret_key: str) -> CalendarFeed:
    """Give the actor a new secret calendar address; any earlier one stops working."""
    require(actor, Permission.SIGNED_IN)
    try:
        feed = calendar_feed(session, actor.id)
        if feed is None:
            feed = CalendarFeed(user_id=actor.id)
            session.add(feed)
        feed.nonce, feed.created_at = secrets.token_hex(16), utcnow()
        feed.token_hash = _hash(calendar_token(feed, secret_key))
        append(session, actor, "calendar_feed.created", feed, {"user": actor.id})
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return feed


def revoke_calendar_feed(session: Session, actor) -> bool:
    """Stop the actor's calendar address working; False when there was none."""
    require(actor, Permission.SIGNED_IN)
    try:
        feed = calendar_feed(session, actor.id)
        if feed is None:
            return False
        append(session, actor, "calendar_feed.revoked", feed, {"user": actor.id})
        session.delete(feed)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return True


def user_for_calendar_token(session: Session, token: str) -> User | None:
    """The active user whose calendar address carries `token`, or None (reads only)."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 64:
        return None
    feed = session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == _hash(token)))
    if feed is None or not feed.user.active:
        return None
    return feed.user
