"""Governance registers: governing documents, risks and the technology gate, dispensations.

Documents and their annual review, risk assessments with the new-technology gate, dispensations
and emergency deviations (security policy §5, §8–§10, §13, §15).
"""
