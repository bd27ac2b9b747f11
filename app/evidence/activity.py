"""Evidence and evidence requests in the activity feed (see ledger/describe.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..catalogue.activity import control_ref
from ..ledger.describe import (
    Ref,
    Thing,
    by_id,
    code,
    codes,
    int_id,
    known,
    name_lookup,
    number,
    person,
    phrase,
    text,
)
from .models import Evidence


def _controls(changes) -> dict:
    return known(controls=codes(changes.get("controls")), control=code(changes.get("control")))


def _pbc_list(changes) -> Ref | None:
    """A request an engagement's auditors made is on its PBC list (audits/activity.py)."""
    engagement = int_id(changes.get("engagement"))
    return Ref("pbc_list", engagement) if engagement else None


THINGS = {
    "evidence": Thing(nouns=(_l("evidence “%(name)s”"), _l("evidence %(id)s")),
                      facts=lambda c: known(name=text(c.get("title"))),
                      lookup=name_lookup(Evidence.title, Evidence.id),
                      endpoint="evidence.show_evidence", link=by_id("evidence_id")),
    "evidence_request": Thing(nouns=(_l("evidence request %(id)s"),),
                              endpoint="evidence.list_requests", link=lambda i, f: {}),
}

PHRASES = {
    "evidence.uploaded": phrase(_l("%(actor)s uploaded %(thing)s for %(controls)s"),
                                _l("%(actor)s uploaded %(thing)s"), values=_controls),
    "evidence.added": phrase(
        lambda c: {
            "link": (_l("%(actor)s added %(thing)s (a link) for %(controls)s"),
                     _l("%(actor)s added %(thing)s (a link)")),
            "note": (_l("%(actor)s wrote %(thing)s (a note) for %(controls)s"),
                     _l("%(actor)s wrote %(thing)s (a note)")),
        }.get(c.get("kind"), (_l("%(actor)s added %(thing)s for %(controls)s"),
                              _l("%(actor)s added %(thing)s"))),
        values=_controls),
    "evidence.version_uploaded": phrase(
        _l("%(actor)s uploaded version %(version)s of %(thing)s"),
        _l("%(actor)s uploaded a new version of %(thing)s"),
        values=lambda c: known(version=number(c.get("version")))),
    "evidence.updated": phrase(_l("%(actor)s edited %(thing)s")),
    "evidence.integrity_failed": phrase(
        lambda c: (_l("The stored file of %(thing)s was missing when %(actor)s opened it"),)
        if c.get("problem") == "missing" else
        (_l("The stored file of %(thing)s no longer matched its SHA-256 when %(actor)s "
            "opened it"),)),
    # A request on an engagement's PBC list is about that list; any other, about its control.
    "evidence_request.created": phrase(
        lambda c: (_l("%(actor)s put a request on %(thing)s: evidence for %(control)s from "
                      "%(assignee)s by %(due)s"),
                   _l("%(actor)s put a request on %(thing)s: evidence for %(control)s")
                   ) if int_id(c.get("engagement")) else (
            _l("%(actor)s asked %(assignee)s for evidence for %(thing)s by %(due)s"),
            _l("%(actor)s asked %(assignee)s for evidence for %(thing)s"),
            _l("%(actor)s asked for evidence for %(thing)s")),
        values=lambda c: known(assignee=person(c.get("assignee")), due=text(c.get("due_on")),
                               control=code(c.get("control"))),
        about=lambda c, entity_id: _pbc_list(c) or control_ref(c.get("control"))),
    "evidence_request.answered": phrase(
        _l("%(actor)s answered an evidence request with %(thing)s"),
        about=lambda c, entity_id: Ref("evidence", str(c["evidence"])) if c.get("evidence")
        else None),
    "evidence_request.cancelled": phrase(
        lambda c: (_l("%(actor)s withdrew the request for evidence for %(control)s from "
                      "%(thing)s"),) if int_id(c.get("engagement")) else
        (_l("%(actor)s cancelled the evidence request for %(thing)s"),),
        values=lambda c: known(control=code(c.get("control"))),
        about=lambda c, entity_id: _pbc_list(c) or control_ref(c.get("control"))),
}
