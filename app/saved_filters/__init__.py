"""Saved filters: a person names the filters of a list (controls, SoA, evidence) to reuse them."""
