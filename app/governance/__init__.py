"""Governance registers: governing documents and their reviews, risk assessments with the
new-technology gate, dispensations and emergency deviations (security policy §5, §8-§10, §13,
§15)."""
