"""Scheduled jobs: `scan_deadlines(session, now)` notifies, `scan_mail(session, now)` e-mails.

Both take `now`, so tests call them directly. Notifying is idempotent: a notification is
unique per (deadline, threshold, recipient), each is inserted in a savepoint of its own, and
a unique-constraint violation (another scanner got there first) is simply skipped, so two
scanners running at once, or one scanning twice, notify each person once.

E-mail follows the in-app notification, never the other way round: notifications are
committed first; a digest that fails to send leaves them in place, to be retried with a
growing pause and given up (marked failed) after MAX_ATTEMPTS.
"""

from __future__ import annotations

import socket
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..auth.models import User
from . import deadlines as rules
from .models import Digest, EmailStatus, Notification, NotificationPreference, SchedulerLease
from .providers import KINDS, collect

MAX_ATTEMPTS = 5
RETRY_MINUTES = (5, 15, 60, 240)
LEASE_NAME = "deadline-scan"


@dataclass
class ScanResult:
    """What a scan did."""

    deadlines: int = 0
    created: int = 0
    skipped: int = 0  # already notified (this or another scanner)
    recipients: set[int] = field(default_factory=set)


def _existing(session: Session, keys: set[str]) -> set[tuple[str, str, int]]:
    found = set()
    keys_list = sorted(keys)
    for start in range(0, len(keys_list), 500):
        found.update(session.execute(select(
            Notification.deadline_key, Notification.threshold, Notification.user_id).where(
            Notification.deadline_key.in_(keys_list[start:start + 500]))).all())
    return found


def scan_deadlines(session: Session, now: datetime, *, policy: rules.Policy,
                   zone: tzinfo, mail: bool = False) -> ScanResult:
    """Create the notifications due at `now` for every provider's deadlines; commits.

    Each open deadline whose latest threshold has been reached notifies each active person
    responsible for it once. With `mail`, a notification of a kind the recipient wants by
    e-mail is queued for the next digest.
    """
    rules.require_aware(now, "now")
    result = ScanResult()
    found = collect(session, now, zone)
    result.deadlines = len(found)
    wanted = []
    for deadline in found:
        threshold = rules.reached(deadline, policy, now, zone)
        if threshold is not None:
            wanted.extend((deadline, threshold, user_id) for user_id in deadline.responsible)
    if not wanted:
        session.commit()
        return result
    active = set(session.scalars(select(User.id).where(
        User.id.in_({u for _d, _t, u in wanted}), User.active)))
    prefs = {p.user_id: p for p in session.scalars(select(NotificationPreference).where(
        NotificationPreference.user_id.in_(active)))}
    existing = _existing(session, {d.key for d, _t, _u in wanted})
    for deadline, threshold, user_id in wanted:
        if user_id not in active or (deadline.key, threshold.name, user_id) in existing:
            result.skipped += user_id in active
            continue
        pref = prefs.get(user_id)
        by_mail = mail and (pref is None or deadline.kind in (pref.email_kinds or ()))
        row = Notification(
            user_id=user_id, deadline_key=deadline.key, threshold=threshold.name,
            kind=deadline.kind, object_type=deadline.object_type,
            object_id=deadline.object_id, title=deadline.title[:300],
            title_da=(deadline.title_da or None) and deadline.title_da[:300],
            due_at=deadline.due_at, endpoint=deadline.endpoint, values=dict(deadline.values),
            created_at=now,
            email_status=(EmailStatus.PENDING if by_mail else EmailStatus.NONE).value)
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:  # another scanner notified this person a moment ago
            result.skipped += 1
            continue
        existing.add((deadline.key, threshold.name, user_id))
        result.created += 1
        result.recipients.add(user_id)
    session.commit()
    return result


# -- e-mail -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class MailResult:
    """What a mail scan did."""

    sent: int = 0  # digests
    failed: int = 0  # digests that could not be sent this time
    notifications: int = 0  # notifications delivered by e-mail


def _due_for_digest(pref: NotificationPreference | None, now: datetime) -> bool:
    if pref is None or pref.digest != Digest.DAILY or pref.last_digest_at is None:
        return True
    return now - pref.last_digest_at >= timedelta(hours=23, minutes=30)


def scan_mail(session: Session, now: datetime, *,
              send: Callable[[User, list[Notification]], None]) -> MailResult:
    """Send one digest per recipient of their pending notifications; commits per recipient.

    `send(user, notifications)` builds and sends the message and raises on failure. A daily
    digest waits until a day has passed since the last one.
    """
    rules.require_aware(now, "now")
    pending = list(session.scalars(select(Notification).where(
        Notification.email_status == EmailStatus.PENDING.value,
        or_(Notification.email_next_try_at.is_(None), Notification.email_next_try_at <= now))
        .order_by(Notification.user_id, Notification.due_at, Notification.id)))
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for row in pending:
        by_user[row.user_id].append(row)
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(by_user)))}
    prefs = {p.user_id: p for p in session.scalars(select(NotificationPreference).where(
        NotificationPreference.user_id.in_(by_user)))}
    sent = failed = delivered = 0
    for user_id, rows in by_user.items():
        user, pref = users.get(user_id), prefs.get(user_id)
        if user is None or not user.active:
            _mark(session, rows, EmailStatus.NONE, None)
            continue
        if not _due_for_digest(pref, now):
            continue
        try:
            send(user, rows)
        except Exception as error:  # noqa: BLE001 - any failure is retried, never lost
            failed += 1
            attempts = rows[0].email_attempts + 1
            if attempts >= MAX_ATTEMPTS:
                _mark(session, rows, EmailStatus.FAILED, str(error)[:300], attempts=attempts)
            else:
                pause = RETRY_MINUTES[min(attempts, len(RETRY_MINUTES)) - 1]
                _mark(session, rows, EmailStatus.PENDING, str(error)[:300], attempts=attempts,
                      next_try=now + timedelta(minutes=pause))
            continue
        _mark(session, rows, EmailStatus.SENT, None, emailed_at=now)
        if pref is not None:
            pref.last_digest_at = now
        else:
            session.add(NotificationPreference(user_id=user_id, email_kinds=list(KINDS),
                                               digest=Digest.IMMEDIATE.value,
                                               last_digest_at=now))
        session.commit()
        sent += 1
        delivered += len(rows)
    session.commit()
    return MailResult(sent, failed, delivered)


def _mark(session: Session, rows: list[Notification], status: EmailStatus, error: str | None,
          *, attempts: int | None = None, next_try: datetime | None = None,
          emailed_at: datetime | None = None) -> None:
    for row in rows:
        row.email_status, row.email_error = status.value, error
        if attempts is not None:
            row.email_attempts = attempts
        row.email_next_try_at = next_try
        if emailed_at is not None:
            row.emailed_at = emailed_at
    session.commit()


# -- the lease --------------------------------------------------------------------------------

def holder_name() -> str:
    """A name for this scheduler process: host, process id and a random part."""
    import os

    return f"{socket.gethostname()[:50]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire_lease(session: Session, holder: str, now: datetime,
                  seconds: int = 600, name: str = LEASE_NAME) -> bool:
    """Take or renew the lease for `seconds`; False while another holder's lease runs.

    One UPDATE decides it (the row changes only if the lease is free, expired or already
    ours), so two schedulers asking at once cannot both win; the first ever creates the row.
    """
    until = now + timedelta(seconds=seconds)
    taken = session.execute(update(SchedulerLease).where(
        SchedulerLease.name == name,
        or_(SchedulerLease.holder == holder, SchedulerLease.expires_at <= now)).values(
        holder=holder, expires_at=until)).rowcount
    if taken:
        session.commit()
        return True
    if session.get(SchedulerLease, name) is not None:
        session.rollback()
        return False
    try:
        with session.begin_nested():
            session.add(SchedulerLease(name=name, holder=holder, expires_at=until))
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True


def release_lease(session: Session, holder: str, name: str = LEASE_NAME) -> None:
    """Give the lease up (on shutdown), if this holder has it."""
    session.execute(update(SchedulerLease).where(
        SchedulerLease.name == name, SchedulerLease.holder == holder).values(
        expires_at=datetime(1990, 1, 1, tzinfo=UTC)))
    session.commit()
