"""Audit firms and their members: the administrator records them, engagements refer to them.

A member is an external-auditor account; one with an MNE number is a state-authorised public
accountant (statsautoriseret revisor) who may be an engagement partner. An account belongs to
at most one firm. Every change is in the ledger.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from ..auth.models import User
from ..auth.permissions import Permission, Role, require
from ..errors import Conflict, Invalid, NotFound
from ..ledger.service import append
from .models import AuditFirm, AuditFirmMember

_MNE = re.compile(r"^(?:mne)?\s*(\d{4,6})$", re.IGNORECASE)


@dataclass(frozen=True)
class FirmDetails:
    """What identifies a firm on the auditor's report."""

    name: str | None
    cvr: str | None
    address: str | None
    city: str | None


def list_firms(session: Session) -> list[AuditFirm]:
    """Every firm with its members, by name."""
    return list(session.scalars(select(AuditFirm).options(
        selectinload(AuditFirm.members).joinedload(AuditFirmMember.user))
        .order_by(AuditFirm.name)))


def get_firm(session: Session, firm_id: int) -> AuditFirm:
    """A firm with its members, or NotFound."""
    firm = session.scalar(select(AuditFirm).where(AuditFirm.id == firm_id).options(
        selectinload(AuditFirm.members).joinedload(AuditFirmMember.user)))
    if firm is None:
        raise NotFound("No such audit firm.")
    return firm


def normalise_cvr(value: str | None) -> str:
    """The eight digits of a Danish CVR number ("33 77 12 31" → "33771231"), or Invalid."""
    digits = re.sub(r"[\s.-]", "", value or "")
    if not re.fullmatch(r"\d{8}", digits):
        raise Invalid("cvr", "A CVR number has eight digits, e.g. 33 77 12 31.")
    return digits


def normalise_mne(value: str | None) -> str | None:
    """An MNE number as printed ("mne26801"), None when empty, or Invalid."""
    text = (value or "").strip()
    if not text:
        return None
    match = _MNE.match(text)
    if match is None:
        raise Invalid("mne", "An MNE number is 'mne' and 4–6 digits, e.g. mne26801.")
    return f"mne{match.group(1)}"


def save_firm(session: Session, actor, firm: AuditFirm | None, details: FirmDetails,
              version: int = 0) -> AuditFirm:
    """Create a firm (firm None) or change one; name, CVR, address and city are required."""
    require(actor, Permission.MANAGE_FIRMS)
    values = {"name": (details.name or "").strip(), "address": (details.address or "").strip(),
              "city": (details.city or "").strip()}
    for field, label, limit in (("name", "the firm's name", 200),
                                ("address", "the firm's address", 300),
                                ("city", "the city the firm signs in", 100)):
        if not values[field]:
            raise Invalid(field, f"Give {label}.")
        if len(values[field]) > limit:
            raise Invalid(field, f"Keep it under {limit} characters.")
    values["cvr"] = normalise_cvr(details.cvr)
    clash = session.scalar(select(AuditFirm.id).where(AuditFirm.name == values["name"]))
    if clash is not None and (firm is None or clash != firm.id):
        raise Invalid("name", "Another firm has that name.")
    if firm is None:
        firm = AuditFirm(**values)
        session.add(firm)
        session.flush()
        append(session, actor, "firm.created", firm, values)
    else:
        if version != firm.version:
            raise Conflict("Someone else changed this firm. Reload and retry.")
        changes = {key: [getattr(firm, key), value] for key, value in values.items()
                   if getattr(firm, key) != value}
        for key, (_old, value) in changes.items():
            setattr(firm, key, value)
        if changes:
            append(session, actor, "firm.updated", firm, changes)
    session.commit()
    return firm


def add_member(session: Session, actor, firm: AuditFirm, user_id: int | None,
               mne: str | None) -> AuditFirmMember:
    """Make an external-auditor account a member of the firm (with an MNE if state-authorised)."""
    require(actor, Permission.MANAGE_FIRMS)
    user = session.get(User, user_id) if user_id else None
    if user is None or not user.active:
        raise Invalid("user_id", "Choose an active account.")
    if user.role != Role.EXTERNAL_AUDITOR:
        raise Invalid("user_id", f"{user.name} is not an external auditor.")
    existing = session.scalar(select(AuditFirmMember).where(AuditFirmMember.user_id == user.id)
                              .options(joinedload(AuditFirmMember.firm)))
    if existing is not None:
        raise Invalid("user_id", f"{user.name} already belongs to {existing.firm.name}.")
    member = AuditFirmMember(firm=firm, user=user, mne=normalise_mne(mne))
    session.add(member)
    append(session, actor, "firm.member_added", member,
           {"firm": firm.name, "user": user.email, "mne": member.mne})
    session.commit()
    return member


def remove_member(session: Session, actor, member: AuditFirmMember) -> None:
    """Take an account out of its firm; it then sees none of the firm's engagements.

    An engagement partner of an engagement not yet issued stays until another is named.
    """
    from ..audits.models import Engagement, EngagementStatus

    require(actor, Permission.MANAGE_FIRMS)
    partner_of = session.scalar(select(Engagement.name).where(
        Engagement.partner_id == member.user_id, Engagement.firm_id == member.firm_id,
        Engagement.status != EngagementStatus.ISSUED))
    if partner_of is not None:
        raise Conflict(f"{member.user.name} is the engagement partner of '{partner_of}'.")
    append(session, actor, "firm.member_removed", member,
           {"firm": member.firm.name, "user": member.user.email})
    session.delete(member)
    session.commit()


def get_member(session: Session, member_id: int) -> AuditFirmMember:
    """A firm member, or NotFound."""
    member = session.scalar(select(AuditFirmMember).where(AuditFirmMember.id == member_id)
                            .options(joinedload(AuditFirmMember.firm),
                                     joinedload(AuditFirmMember.user)))
    if member is None:
        raise NotFound("No such member.")
    return member


def unattached_auditors(session: Session) -> list[User]:
    """Active external-auditor accounts that belong to no firm yet."""
    return list(session.scalars(select(User).where(
        User.active, User.role == Role.EXTERNAL_AUDITOR,
        User.id.not_in(select(AuditFirmMember.user_id))).order_by(User.name)))


def firm_auditors(session: Session) -> list[AuditFirmMember]:
    """Every firm member with an active account, by firm and name (for the engagement form)."""
    return list(session.scalars(select(AuditFirmMember).join(AuditFirm).join(
        User, AuditFirmMember.user_id == User.id).where(User.active).options(
        joinedload(AuditFirmMember.user), joinedload(AuditFirmMember.firm))
        .order_by(AuditFirm.name, User.name)))
