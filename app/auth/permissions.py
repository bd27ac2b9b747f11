"""The one permission matrix: which role may do what, and the `@requires` route decorator.

Every route declares the permission it needs; a test walks the URL map to prove it. Object-level
rules (a control owner's own controls, an external auditor's engagement) are checked in services
through `can(actor, permission, obj)`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps

from ..errors import Forbidden


class Role(enum.StrEnum):
    """The roles a user can hold; one per user."""

    ADMIN = "admin"
    COORDINATOR = "coordinator"
    CONTROL_OWNER = "control_owner"
    INTERNAL_AUDITOR = "internal_auditor"
    EXTERNAL_AUDITOR = "external_auditor"
    VIEWER = "viewer"


class Permission(enum.StrEnum):
    """What a route or service may require."""

    SIGNED_IN = "signed_in"  # any active account: dashboard, own password, language
    MANAGE_API_TOKENS = "manage_api_tokens"
    MANAGE_USERS = "manage_users"
    VIEW_LEDGER = "view_ledger"
    VIEW_CATALOGUE = "view_catalogue"
    LOAD_CATALOGUE = "load_catalogue"
    VIEW_SOA = "view_soa"
    EDIT_SOA = "edit_soa"
    VIEW_EVIDENCE = "view_evidence"
    ADD_EVIDENCE = "add_evidence"  # control owners: only to controls they own (service check)
    REQUEST_EVIDENCE = "request_evidence"
    VIEW_AUDITS = "view_audits"  # external auditors: only engagements they are assigned to
    MANAGE_ENGAGEMENTS = "manage_engagements"
    PERFORM_TESTS = "perform_tests"
    REDRAW_SAMPLE = "redraw_sample"
    COMMENT_ENGAGEMENT = "comment_engagement"
    VIEW_DEVIATIONS = "view_deviations"
    MANAGE_DEVIATIONS = "manage_deviations"
    RESPOND_DEVIATION = "respond_deviation"  # control owners: findings they own (service check)
    VIEW_REPORTS = "view_reports"  # external auditors: only their engagement (service check)
    EXPORT_BUNDLE = "export_bundle"
    MANAGE_PROFILE = "manage_profile"
    VIEW_SUBPROCESSORS = "view_subprocessors"  # external auditors: their periods (auth.scope)
    MANAGE_SUBPROCESSORS = "manage_subprocessors"
    # control owners: only those owning an ISAE F or G activity (vendors.checks.can_follow_up)
    RECORD_SUBPROCESSOR_FOLLOW_UP = "record_subprocessor_follow_up"
    VIEW_INCIDENTS = "view_incidents"  # control owners: what they reported (service check)
    REPORT_INCIDENT = "report_incident"
    MANAGE_INCIDENTS = "manage_incidents"
    VIEW_GOVERNANCE = "view_governance"  # external auditors: their engagements' periods
    MANAGE_GOVERNANCE = "manage_governance"
    REVIEW_DOCUMENTS = "review_documents"  # control owners: documents they own (service check)
    MANAGE_FIRMS = "manage_firms"
    # Object rules in app/audits/access.py: reviewers are the firm's auditors on an ISAE
    # engagement (never the preparer); the report is written by the firm and signed by its
    # engagement partner; management's statement is recorded by the organisation.
    REVIEW_TESTS = "review_tests"
    WRITE_AUDITOR_REPORT = "write_auditor_report"
    SIGN_AUDITOR_REPORT = "sign_auditor_report"
    SIGN_MANAGEMENT_STATEMENT = "sign_management_statement"
    RAISE_DEVIATIONS = "raise_deviations"  # external auditors: within their engagements
    VIEW_DEADLINES = "view_deadlines"  # everyone sees the deadlines they answer for
    VIEW_ALL_DEADLINES = "view_all_deadlines"  # and these roles everyone's
    VIEW_ANNUAL_WHEEL = "view_annual_wheel"
    MANAGE_ANNUAL_WHEEL = "manage_annual_wheel"
    COMPLETE_DUTIES = "complete_duties"  # control owners: duties they own (service check)
    # The PBC list: external auditors within their engagements (audits/access.py)
    REQUEST_ENGAGEMENT_EVIDENCE = "request_engagement_evidence"


ALL_ROLES = frozenset(Role)

MATRIX: dict[Permission, frozenset[Role]] = {
    Permission.SIGNED_IN: ALL_ROLES,
    Permission.MANAGE_API_TOKENS: ALL_ROLES,
    Permission.MANAGE_USERS: frozenset({Role.ADMIN}),
    Permission.VIEW_LEDGER: frozenset({Role.ADMIN, Role.COORDINATOR, Role.INTERNAL_AUDITOR}),
    Permission.VIEW_CATALOGUE: ALL_ROLES,
    Permission.LOAD_CATALOGUE: frozenset({Role.ADMIN, Role.COORDINATOR}),
    Permission.VIEW_SOA: ALL_ROLES,
    Permission.EDIT_SOA: frozenset({Role.ADMIN, Role.COORDINATOR}),
    # External auditors read only their engagement's scope (evidence.service.can_read_evidence).
    Permission.VIEW_EVIDENCE: ALL_ROLES,
    Permission.ADD_EVIDENCE: frozenset({Role.ADMIN, Role.COORDINATOR, Role.CONTROL_OWNER}),
    Permission.REQUEST_EVIDENCE: frozenset({Role.ADMIN, Role.COORDINATOR, Role.INTERNAL_AUDITOR}),
    Permission.VIEW_AUDITS: frozenset({Role.ADMIN, Role.COORDINATOR, Role.INTERNAL_AUDITOR,
                                       Role.EXTERNAL_AUDITOR, Role.VIEWER}),
    Permission.MANAGE_ENGAGEMENTS: frozenset({Role.ADMIN, Role.INTERNAL_AUDITOR}),
    # External auditors: only in their firm's engagements they are assigned to (audits/access).
    Permission.PERFORM_TESTS: frozenset({Role.ADMIN, Role.INTERNAL_AUDITOR,
                                         Role.EXTERNAL_AUDITOR}),
    Permission.REDRAW_SAMPLE: frozenset({Role.ADMIN, Role.INTERNAL_AUDITOR,
                                         Role.EXTERNAL_AUDITOR}),
    Permission.COMMENT_ENGAGEMENT: frozenset({Role.ADMIN, Role.INTERNAL_AUDITOR,
                                              Role.EXTERNAL_AUDITOR}),
    # External auditors: only the findings of their engagements (audits/deviations._visible).
    Permission.VIEW_DEVIATIONS: frozenset({Role.ADMIN, Role.COORDINATOR, Role.CONTROL_OWNER,
                                           Role.INTERNAL_AUDITOR, Role.EXTERNAL_AUDITOR,
                                           Role.VIEWER}),
    Permission.MANAGE_DEVIATIONS: frozenset({Role.ADMIN, Role.COORDINATOR,
                                             Role.INTERNAL_AUDITOR}),
    Permission.RESPOND_DEVIATION: frozenset({Role.ADMIN, Role.COORDINATOR, Role.CONTROL_OWNER}),
    Permission.VIEW_REPORTS: frozenset({Role.ADMIN, Role.COORDINATOR, Role.INTERNAL_AUDITOR,
                                        Role.EXTERNAL_AUDITOR, Role.VIEWER}),
    Permission.EXPORT_BUNDLE: frozenset({Role.ADMIN, Role.INTERNAL_AUDITOR,
                                         Role.EXTERNAL_AUDITOR}),
    Permission.MANAGE_PROFILE: frozenset({Role.ADMIN, Role.COORDINATOR}),
    Permission.VIEW_SUBPROCESSORS: ALL_ROLES,
    Permission.MANAGE_SUBPROCESSORS: frozenset({Role.ADMIN, Role.COORDINATOR}),
    Permission.RECORD_SUBPROCESSOR_FOLLOW_UP: frozenset({Role.ADMIN, Role.COORDINATOR,
                                                         Role.CONTROL_OWNER}),
    # External auditors read incidents within their engagements' periods (auth/scope.py).
    Permission.VIEW_INCIDENTS: ALL_ROLES,
    Permission.REPORT_INCIDENT: frozenset({Role.ADMIN, Role.COORDINATOR, Role.CONTROL_OWNER,
                                           Role.INTERNAL_AUDITOR}),
    Permission.MANAGE_INCIDENTS: frozenset({Role.ADMIN, Role.COORDINATOR}),
    Permission.VIEW_GOVERNANCE: ALL_ROLES,
    Permission.MANAGE_GOVERNANCE: frozenset({Role.ADMIN, Role.COORDINATOR}),
    Permission.REVIEW_DOCUMENTS: frozenset({Role.ADMIN, Role.COORDINATOR, Role.CONTROL_OWNER}),
    Permission.MANAGE_FIRMS: frozenset({Role.ADMIN}),
    Permission.REVIEW_TESTS: frozenset({Role.ADMIN, Role.INTERNAL_AUDITOR,
                                        Role.EXTERNAL_AUDITOR}),
    Permission.WRITE_AUDITOR_REPORT: frozenset({Role.EXTERNAL_AUDITOR}),
    Permission.SIGN_AUDITOR_REPORT: frozenset({Role.EXTERNAL_AUDITOR}),
    Permission.SIGN_MANAGEMENT_STATEMENT: frozenset({Role.ADMIN, Role.COORDINATOR}),
    Permission.RAISE_DEVIATIONS: frozenset({Role.ADMIN, Role.COORDINATOR,
                                            Role.INTERNAL_AUDITOR, Role.EXTERNAL_AUDITOR}),
    Permission.VIEW_DEADLINES: ALL_ROLES,
    Permission.VIEW_ALL_DEADLINES: frozenset({Role.ADMIN, Role.COORDINATOR,
                                              Role.INTERNAL_AUDITOR, Role.VIEWER}),
    Permission.VIEW_ANNUAL_WHEEL: ALL_ROLES - {Role.EXTERNAL_AUDITOR},
    Permission.MANAGE_ANNUAL_WHEEL: frozenset({Role.ADMIN, Role.COORDINATOR}),
    Permission.COMPLETE_DUTIES: frozenset({Role.ADMIN, Role.COORDINATOR, Role.CONTROL_OWNER}),
    Permission.REQUEST_ENGAGEMENT_EVIDENCE: frozenset({Role.ADMIN, Role.INTERNAL_AUDITOR,
                                                       Role.EXTERNAL_AUDITOR}),
}

# Endpoints anyone may reach without signing in.
PUBLIC_ENDPOINTS = frozenset({"auth.login", "auth.login_code", "static", "health",
                              "notifications.calendar_feed"})  # the token in its URL is the key


def can(actor, permission: Permission, obj=None) -> bool:
    """Whether `actor` (a User or SystemActor, or None) holds `permission`, optionally on `obj`."""
    if actor is None or not getattr(actor, "is_active", False):
        return False
    return Role(actor.role) in MATRIX[permission]


def require(actor, permission: Permission, obj=None) -> None:
    """Raise Forbidden unless `can(actor, permission, obj)`; services call this first."""
    if not can(actor, permission, obj):
        raise Forbidden(f"You do not have permission to {permission.value.replace('_', ' ')}.")


def requires(permission: Permission) -> Callable:
    """Route decorator: sign-in required, then `permission` for the current actor."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            from flask import abort

            from .current import current_actor, unauthenticated

            actor = current_actor()
            if actor is None:
                return unauthenticated()
            if not can(actor, permission):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_permission = permission
        return wrapped

    return decorate


def public(view: Callable) -> Callable:
    """Mark a route as reachable without signing in (login, health, language choice)."""
    view.required_permission = None
    return view
