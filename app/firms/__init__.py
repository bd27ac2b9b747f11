"""Audit firms: the external auditors' firm, its CVR and address, and members with MNE numbers."""
