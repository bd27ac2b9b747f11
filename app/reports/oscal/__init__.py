"""OSCAL (JSON) exports: catalogs, the SoA as a system security plan, engagements as results.

sources.py reads the models into plain data through small functions (the only module that
knows the audit and evidence models); catalog.py, ssp.py and assessment.py build documents
from that data; service.py ties them together with the permission checks.
"""
