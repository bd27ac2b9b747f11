"""API: the token owner's notifications, marking one read."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from ..api.spec import ApiModel, QueryModel, operation
from ..api.views import bp
from ..auth.current import current_actor
from ..auth.permissions import Permission
from ..extensions import db
from . import service


class NotificationOut(ApiModel):
    """A reminder about a deadline, to the token's owner."""

    id: int
    kind: str = Field(description="What is due, e.g. evidence_expiry, breach.authority")
    threshold: str = Field(description="Which reminder: 30d, 7d, due, 50%, 24h, 4h, overdue")
    title: str
    object_type: str
    object_id: int
    due_at: datetime = Field(description="The due instant (UTC)")
    created_at: datetime
    read_at: datetime | None
    url: str | None = Field(description="The object's page, relative to the site")

    @classmethod
    def of(cls, row) -> NotificationOut:
        """The API shape of a notification row."""
        from .views import _link

        return cls(id=row.id, kind=row.kind, threshold=row.threshold, title=row.title,
                   object_type=row.object_type, object_id=row.object_id, due_at=row.due_at,
                   created_at=row.created_at, read_at=row.read_at, url=_link(row))


class NotificationList(ApiModel):
    """One page of notifications, newest first."""

    items: list[NotificationOut]
    total: int
    unread: int
    page: int


class NotificationQuery(QueryModel):
    """Paging and the unread filter."""

    page: Annotated[int, Field(ge=1, le=10_000)] = 1
    per_page: Annotated[int, Field(ge=1, le=100)] = 30
    unread: Literal["0", "1"] | None = None


@operation(bp, "GET", "/notifications", Permission.SIGNED_IN, tag="notifications",
           summary="The token owner's notifications, newest first", query=NotificationQuery,
           responses={200: NotificationList})
def list_notifications_api(query: NotificationQuery):
    """The notifications of the token's owner."""
    actor = current_actor()
    rows, total = service.list_notifications(db.session, actor, page=query.page,
                                             per_page=query.per_page,
                                             unread_only=query.unread == "1")
    return NotificationList(items=[NotificationOut.of(r) for r in rows], total=total,
                            unread=service.unread_count(db.session, actor.id), page=query.page)


@operation(bp, "POST", "/notifications/<int:notification_id>/read", Permission.SIGNED_IN,
           tag="notifications", summary="Mark one of the token owner's notifications read",
           responses={200: NotificationOut}, errors=(404,))
def mark_read_api(notification_id: int):
    """Mark a notification read; someone else's is not found."""
    return NotificationOut.of(service.mark_read(db.session, current_actor(), notification_id))
