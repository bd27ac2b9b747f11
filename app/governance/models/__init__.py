"""Governance tables, one entity family per module.

Governing documents and reviews, risk assessments and technology adoptions, dispensations and
their decisions.
"""

from .adoptions import TechnologyAdoption
from .dispensations import Dispensation, DispensationDecision
from .documents import DocumentReview, DocumentVersion, GoverningDocument, document_control
from .risks import Risk, RiskAssessment, risk_control

__all__ = ["Dispensation", "DispensationDecision", "DocumentReview", "DocumentVersion",
           "GoverningDocument", "Risk", "RiskAssessment", "TechnologyAdoption",
           "document_control", "risk_control"]
