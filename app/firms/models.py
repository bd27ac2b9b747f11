"""An audit firm and its members (external-auditor accounts, state-authorised ones with MNE)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..db import TimestampMixin, VersionedMixin
from ..extensions import db


class AuditFirm(VersionedMixin, TimestampMixin, db.Model):
    """The firm that performs ISAE 3000 engagements and signs their auditor's reports."""

    __tablename__ = "audit_firm"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    cvr: Mapped[str] = mapped_column(String(8))
    address: Mapped[str] = mapped_column(String(300))
    city: Mapped[str] = mapped_column(String(100))

    members: Mapped[list[AuditFirmMember]] = relationship(
        back_populates="firm", cascade="all, delete-orphan", order_by="AuditFirmMember.id")

    @property
    def cvr_display(self) -> str:
        """The CVR number as printed: four pairs of digits ("33 77 12 31")."""
        return " ".join(self.cvr[i:i + 2] for i in range(0, len(self.cvr), 2))

    def member_ids(self) -> set[int]:
        """The user ids of the firm's members."""
        return {member.user_id for member in self.members}

    def partners(self) -> list[AuditFirmMember]:
        """Members who may sign as engagement partner (state-authorised, with an MNE number)."""
        return [member for member in self.members if member.mne]


class AuditFirmMember(db.Model):
    """An external-auditor account belonging to a firm; `mne` for a state-authorised auditor."""

    __tablename__ = "audit_firm_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey("audit_firm.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), unique=True)
    mne: Mapped[str | None] = mapped_column(String(16))

    firm: Mapped[AuditFirm] = relationship(back_populates="members")
    user: Mapped[User] = relationship()

    @property
    def is_state_authorised(self) -> bool:
        """A state-authorised public accountant (statsautoriseret revisor) has an MNE number."""
        return bool(self.mne)
