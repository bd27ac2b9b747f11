"""Portable backup and restore: every table as JSON lines, every evidence file, one manifest."""
