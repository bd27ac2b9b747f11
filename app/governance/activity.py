"""Governing documents, risks, dispensations and technology adoptions in the activity feed.

See ledger/describe.py.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..ledger.describe import Thing, by_id, known, label, name_lookup, phrase, text
from .forms import ADOPTION_STATUS_LABELS, OUTCOME_LABELS
from .models import Dispensation, GoverningDocument, Risk, RiskAssessment, TechnologyAdoption

_OUTCOMES = {outcome.value: words for outcome, words in OUTCOME_LABELS.items()}
_ADOPTION_STATUSES = {status.value: words for status, words in ADOPTION_STATUS_LABELS.items()}


def _titled(nouns: tuple, model, endpoint: str, arg: str) -> Thing:
    return Thing(nouns=nouns, facts=lambda c: known(name=text(c.get("title"))),
                 lookup=name_lookup(model.title, model.id), endpoint=endpoint, link=by_id(arg))


def _decision(approved, rejected, other):
    return lambda c: {"approved": (approved,), "rejected": (rejected,)}.get(
        c.get("outcome") or c.get("decision"), (other,))


THINGS = {
    "governing_document": _titled((_l("the document “%(name)s”"), _l("document %(id)s")),
                                  GoverningDocument, "governance.show_document", "document_id"),
    "risk_assessment": _titled((_l("the risk assessment “%(name)s”"),
                                _l("risk assessment %(id)s")),
                               RiskAssessment, "governance.show_assessment", "assessment_id"),
    "risk": _titled((_l("the risk “%(name)s”"), _l("risk %(id)s")),
                    Risk, "governance.show_risk", "risk_id"),
    "dispensation": _titled((_l("the dispensation “%(name)s”"), _l("dispensation %(id)s")),
                            Dispensation, "governance.show_dispensation", "dispensation_id"),
    "technology_adoption": _titled((_l("the technology “%(name)s”"),
                                    _l("technology adoption %(id)s")),
                                   TechnologyAdoption, "governance.show_adoption",
                                   "adoption_id"),
}

PHRASES = {
    "document.created": phrase(_l("%(actor)s registered %(thing)s")),
    "document.updated": phrase(_l("%(actor)s edited %(thing)s")),
    "document.version_added": phrase(_l("%(actor)s added version %(version)s of %(thing)s"),
                                     _l("%(actor)s added a version of %(thing)s"),
                                     values=lambda c: known(version=text(c.get("version")))),
    "document.version_current": phrase(
        _l("%(actor)s made version %(version)s of %(thing)s current from %(date)s"),
        _l("%(actor)s made version %(version)s of %(thing)s current"),
        _l("%(actor)s changed the current version of %(thing)s"),
        values=lambda c: known(version=text(c.get("version")),
                               date=text(c.get("effective_on")))),
    "document.reviewed": phrase(_l("%(actor)s recorded a review of %(thing)s: %(outcome)s"),
                                _l("%(actor)s recorded a review of %(thing)s"),
                                values=lambda c: known(outcome=label(_OUTCOMES,
                                                                     c.get("outcome")))),
    "document.review_approved": phrase(_l("%(actor)s recorded the approval of a review of "
                                          "%(thing)s")),
    "risk_assessment.created": phrase(_l("%(actor)s registered %(thing)s")),
    "risk_assessment.updated": phrase(_l("%(actor)s edited %(thing)s")),
    "risk.added": phrase(_l("%(actor)s added %(thing)s")),
    "risk.updated": phrase(_l("%(actor)s edited %(thing)s")),
    "risk.accepted": phrase(_l("%(actor)s recorded the acceptance of %(thing)s")),
    "dispensation.requested": phrase(_l("%(actor)s registered a request for %(thing)s")),
    "dispensation.emergency": phrase(_l("%(actor)s registered %(thing)s as an emergency "
                                        "deviation")),
    "dispensation.updated": phrase(_l("%(actor)s edited %(thing)s")),
    "dispensation.decided": phrase(
        _decision(_l("%(actor)s recorded that %(thing)s was granted"),
                  _l("%(actor)s recorded that %(thing)s was refused"),
                  _l("%(actor)s recorded a decision on %(thing)s"))),
    "dispensation.renewed": phrase(
        _decision(_l("%(actor)s recorded that %(thing)s was renewed"),
                  _l("%(actor)s recorded that the renewal of %(thing)s was refused"),
                  _l("%(actor)s recorded a decision on %(thing)s"))),
    "dispensation.reported": phrase(
        lambda c: (_l("%(actor)s recorded that %(thing)s was reported to the chair, late"),)
        if c.get("late") else
        (_l("%(actor)s recorded that %(thing)s was reported to the chair"),)),
    "adoption.created": phrase(_l("%(actor)s registered %(thing)s for approval")),
    "adoption.updated": phrase(_l("%(actor)s edited %(thing)s")),
    "adoption.risk_assessed": phrase(_l("%(actor)s recorded the risk assessment of %(thing)s")),
    "adoption.impact_analysed": phrase(_l("%(actor)s recorded the impact analysis of "
                                          "%(thing)s")),
    "adoption.presented": phrase(_l("%(actor)s recorded that %(thing)s was presented to top "
                                    "management")),
    "adoption.decided": phrase(
        _decision(_l("%(actor)s recorded that top management approved %(thing)s"),
                  _l("%(actor)s recorded that top management rejected %(thing)s"),
                  _l("%(actor)s recorded top management's decision on %(thing)s"))),
    "adoption.status": phrase(
        lambda c: (_l("%(actor)s took %(thing)s into use"),)
        if (c.get("status") or [None, None])[-1] == "in_use" else
        (_l("%(actor)s moved %(thing)s to “%(status)s”"),
         _l("%(actor)s changed the status of %(thing)s")),
        values=lambda c: known(status=label(_ADOPTION_STATUSES, c.get("status")))),
}
