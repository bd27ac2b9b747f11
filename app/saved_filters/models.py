"""A named set of list filters, private to the person who saved it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import UTCDateTime, utcnow
from ..extensions import db


class SavedFilter(db.Model):
    """The query string of one list's filters under a name its owner chose."""

    __tablename__ = "saved_filter"
    __table_args__ = (UniqueConstraint("user_id", "list_name", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    list_name: Mapped[str] = mapped_column(String(16))  # controls, soa or evidence
    name: Mapped[str] = mapped_column(String(60))
    query: Mapped[str] = mapped_column(String(500))  # url-encoded, only the list's own filters
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
