"""Incidents in the JSON API: list, report, register (already qualified) and read one.

A report is what anyone but viewers and external auditors may say (what happened, when it was
noticed); registering records the coordinator's qualification: the breach decision and our role.

Timestamps must carry a UTC offset: one without is refused with 400 and a message naming the
member (an instant without an offset names no single moment, and a breach clock cannot start
from it). Deadlines come back as ISO 8601 instants with the offset of the configured zone.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from flask import url_for
from pydantic import BeforeValidator, Field, ValidationInfo

from ..api.spec import ApiModel, QueryModel, operation
from ..api.views import bp
from ..auth.current import current_actor
from ..auth.permissions import Permission
from ..errors import Invalid
from ..extensions import db
from . import display, queries, service


class MissingOffset(Invalid):
    """A timestamp without a UTC offset: a bad request, not a wrong value."""

    status_code = 400


def require_offset(value, info: ValidationInfo):
    """Refuse (400) a timestamp that has no UTC offset; leave the rest to pydantic."""
    if not isinstance(value, str | datetime):
        raise ValueError("give an ISO 8601 timestamp with its UTC offset")
    parsed = value
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:  # not an ISO 8601 timestamp at all: 422
            raise ValueError("give an ISO 8601 timestamp with its UTC offset, e.g. "
                             "2026-03-29T09:30:00+02:00") from None
    if parsed.utcoffset() is None:
        raise MissingOffset(info.field_name, f"'{value}' has no UTC offset. Give the time with "
                                             "its offset, e.g. 2026-03-29T09:30:00+02:00 or "
                                             "2026-03-29T07:30:00Z.")
    return value


OffsetDateTime = Annotated[datetime, BeforeValidator(require_offset)]
ShortText = Annotated[str, Field(max_length=200)]
LongText = Annotated[str, Field(max_length=20_000)]
NoticeHours = Annotated[int, Field(ge=1, le=720)]


class ControllerIn(ApiModel):
    """A controller we process for, with the notice hours agreed with it."""

    name: Annotated[str, Field(min_length=1, max_length=200)]
    notice_hours: NoticeHours | None = None


class IncidentIn(ApiModel):
    """An incident to register, qualified: the breach decision, awareness and our role."""

    title: Annotated[str, Field(min_length=1, max_length=200)]
    became_aware_at: OffsetDateTime
    personal_data_breach: Annotated[bool, Field(strict=True)]
    role: Literal["controller", "processor"]
    controller_notice_hours: NoticeHours | None = Field(
        None, description="For a processor: the agreed hours for telling the controllers "
                          "(default 24)")
    controllers: list[ControllerIn] = Field(default_factory=list, max_length=50)
    detected_at: OffsetDateTime | None = Field(None, description="Default: became_aware_at")
    description: LongText | None = None
    breach_reason: LongText | None = None
    personal_data: bool | None = None
    severity: Literal["low", "medium", "high", "critical"] | None = None


class ReportIn(ApiModel):
    """A short report: what happened and when it was noticed; the coordinator qualifies it."""

    title: Annotated[str, Field(min_length=1, max_length=200)]
    description: Annotated[str, Field(min_length=1, max_length=20_000)]
    detected_at: OffsetDateTime = Field(description="When it was noticed")
    personal_data: bool | None = Field(None, description="Are personal data involved, if known")


class ControllerOut(ApiModel):
    """A controller and its clock."""

    id: int
    name: str
    notice_hours: int
    deadline: datetime | None
    notified_at: datetime | None


class IncidentOut(ApiModel):
    """An incident with its deadlines in the configured zone."""

    id: int
    title: str
    description: str
    status: str
    severity: str | None
    role: Literal["controller", "processor"]
    personal_data: bool | None
    personal_data_breach: bool | None
    breach_reason: str | None
    detected_at: datetime
    became_aware_at: datetime | None
    authority_deadline: datetime | None = Field(
        description="Controller: became_aware_at + 72 elapsed hours")
    authority_notified_at: datetime | None
    controller_notice_hours: int
    controller_deadline: datetime | None = Field(
        description="Processor: the earliest deadline for telling a controller")
    controllers: list[ControllerOut]
    chair_informed_on: date | None
    closed_on: date | None
    url: str


class IncidentList(ApiModel):
    """One page of the register."""

    items: list[IncidentOut]
    total: int
    page: int
    per_page: int


class IncidentQuery(QueryModel):
    """Filters for the register."""

    q: Annotated[str, Field(max_length=200)] | None = None
    status: Literal["open", "reported", "investigating", "closed"] | None = None
    breach: Literal["yes", "no", "undecided"] | None = None
    role: Literal["controller", "processor"] | None = None
    page: Annotated[int, Field(ge=1, le=100_000)] = 1
    per_page: Annotated[int, Field(ge=1, le=100)] = 25


def incident_out(incident) -> IncidentOut:
    """An incident as the API shows it: instants in the configured zone, with offset."""
    tz = display.zone()

    def local(value: datetime | None) -> datetime | None:
        return value.astimezone(tz) if value else None

    authority = incident.authority_clock()
    controller_clocks = incident.controller_clocks()
    clocks_by_id = {c.id: clock for c, clock in controller_clocks if c is not None}
    return IncidentOut(
        id=incident.id, title=incident.title, description=incident.description,
        status=incident.status, severity=incident.severity, role=incident.role,
        personal_data=incident.personal_data,
        personal_data_breach=incident.personal_data_breach,
        breach_reason=incident.breach_reason, detected_at=local(incident.detected_at),
        became_aware_at=local(incident.became_aware_at),
        authority_deadline=local(authority.due) if authority else None,
        authority_notified_at=local(incident.authority_notified_at),
        controller_notice_hours=incident.controller_notice_hours,
        controller_deadline=local(min(clock.due for _c, clock in controller_clocks))
        if controller_clocks else None,
        controllers=[ControllerOut(
            id=c.id, name=c.name, notice_hours=c.notice_hours,
            deadline=local(clocks_by_id[c.id].due) if c.id in clocks_by_id else None,
            notified_at=local(c.notified_at)) for c in incident.controllers],
        chair_informed_on=incident.chair_informed_on, closed_on=incident.closed_on,
        url=url_for("incidents.show_incident", incident_id=incident.id, _external=True))


@operation(bp, "GET", "/incidents", Permission.VIEW_INCIDENTS, tag="incidents",
           summary="The incident register, newest detected first", query=IncidentQuery,
           responses={200: IncidentList})
def list_incidents_api(query: IncidentQuery):
    """Incidents the token's user may see (external auditors: their engagements' periods)."""
    items, total = queries.list_incidents(
        db.session, current_actor(), queries.IncidentFilter(
            q=query.q, status=query.status, breach=query.breach, role=query.role),
        page=query.page, per_page=query.per_page)
    return IncidentList(items=[incident_out(i) for i in items], total=total, page=query.page,
                        per_page=query.per_page)


@operation(bp, "POST", "/incidents", Permission.MANAGE_INCIDENTS, tag="incidents",
           summary="Register an incident with its breach decision and our role",
           body=IncidentIn, responses={201: IncidentOut}, errors=(400,))
def create_incident_api(body: IncidentIn):
    """Register a qualified incident; a timestamp without a UTC offset is refused with 400."""
    details = service.IncidentDetails(
        title=body.title, description=body.description or body.title,
        detected_at=body.detected_at or body.became_aware_at,
        became_aware_at=body.became_aware_at, personal_data=body.personal_data
        if body.personal_data is not None else (True if body.personal_data_breach else None),
        personal_data_breach=body.personal_data_breach, breach_reason=body.breach_reason,
        role=body.role, controller_notice_hours=body.controller_notice_hours,
        severity=body.severity)
    incident = service.register_incident(
        db.session, current_actor(), details,
        [(c.name, c.notice_hours) for c in body.controllers], tz=display.zone())
    incident = queries.get_incident(db.session, current_actor(), incident.id)
    return incident_out(incident), 201, {"Location": url_for(
        "api.get_incident_api", incident_id=incident.id)}


@operation(bp, "POST", "/incidents/reports", Permission.REPORT_INCIDENT, tag="incidents",
           summary="Report an incident: what happened and when it was noticed",
           body=ReportIn, responses={201: IncidentOut}, errors=(400,))
def report_incident_api(body: ReportIn):
    """Report an incident for the coordinator to qualify; its clocks start at that decision."""
    incident = service.report_incident(
        db.session, current_actor(), service.IncidentReport(
            title=body.title, description=body.description, detected_at=body.detected_at,
            personal_data=body.personal_data), tz=display.zone())
    incident = queries.get_incident(db.session, current_actor(), incident.id)
    return incident_out(incident), 201, {"Location": url_for(
        "api.get_incident_api", incident_id=incident.id)}


@operation(bp, "GET", "/incidents/<int:incident_id>", Permission.VIEW_INCIDENTS,
           tag="incidents", summary="One incident with its deadlines",
           responses={200: IncidentOut}, errors=(404,))
def get_incident_api(incident_id: int):
    """One incident, if the token's user may see it."""
    return incident_out(queries.get_incident(db.session, current_actor(), incident_id))
