"""Engagements, control tests, samples and their evaluation."""
