"""OSCAL exports with their permission checks: plain dicts ready for `dumps`."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from ...auth.permissions import Permission, require
from ..service import get_profile
from . import sources
from .assessment import build_assessment_plan, build_assessment_results
from .catalog import build_catalog
from .check import check_document
from .ssp import build_ssp


def export_catalog(session: Session, actor, slug: str) -> dict:
    """A catalogue as an OSCAL catalog."""
    require(actor, Permission.VIEW_CATALOGUE)
    return check_document(build_catalog(sources.catalogue(session, slug)))


def export_ssp(session: Session, actor, organisation: str) -> dict:
    """The Statement of Applicability as an OSCAL system security plan."""
    require(actor, Permission.VIEW_SOA)
    profile = get_profile(session, organisation)
    return check_document(build_ssp(sources.soa(session, actor), profile.name,
                                     profile.processing_en))


def export_assessment_plan(session: Session, actor, engagement_id: int) -> dict:
    """An engagement's OSCAL assessment plan (for actors who may see the engagement)."""
    require(actor, Permission.VIEW_REPORTS)
    return check_document(build_assessment_plan(
        sources.engagement(session, actor, engagement_id)))


def export_assessment_results(session: Session, actor, engagement_id: int) -> dict:
    """An engagement's OSCAL assessment results, its plan embedded."""
    require(actor, Permission.VIEW_REPORTS)
    return check_document(build_assessment_results(
        sources.engagement(session, actor, engagement_id)))


def dumps(document: dict) -> bytes:
    """The document as UTF-8 JSON, indented, in a stable order."""
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
