"""Reports, signatures, issuing and export bundles in the activity feed (ledger/describe.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audits.models import Engagement
from ..ledger.describe import (
    Ref,
    Thing,
    by_id,
    known,
    name_lookup,
    number,
    phrase,
    rows_lookup,
    text,
)
from .models import ExportBundle


def _report(changes, engagement_id) -> Ref:
    return Ref("engagement_report", engagement_id)


THINGS = {
    # Entries about a report are kept on its engagement; `_report` points them at the report.
    "engagement_report": Thing(nouns=(_l("the report of “%(name)s”"), _l("report %(id)s")),
                               lookup=name_lookup(Engagement.name, Engagement.id),
                               endpoint="reports.show_report", link=by_id("engagement_id")),
    "export_bundle": Thing(nouns=(_l("the export bundle of “%(name)s”"),
                                  _l("export bundle %(id)s")),
                           lookup=rows_lookup(lambda ids: select(ExportBundle.id, Engagement.name)
                                              .join(Engagement,
                                                    Engagement.id == ExportBundle.engagement_id)
                                              .where(ExportBundle.id.in_(ids)), "name"),
                           endpoint="reports.show_bundle", link=by_id("bundle_id")),
    "organisation_profile": Thing(nouns=(_l("the organisation profile"),),
                                  endpoint="reports.edit_profile", link=lambda i, f: {}),
}

PHRASES = {
    "report.signature_withdrawn": phrase(
        lambda c: {
            "management": (_l("%(actor)s withdrew management's signature (%(name)s) from "
                              "%(thing)s"),),
            "auditor": (_l("%(actor)s withdrew the auditor's signature (%(name)s) from "
                           "%(thing)s"),),
        }.get(c.get("party"), ()) + (_l("%(actor)s withdrew a signature from %(thing)s"),),
        values=lambda c: known(name=text(c.get("name"))), about=_report),
    # Written until the report got its sections (report.text); old rows remain.
    "engagement.auditor_report": phrase(_l("%(actor)s edited the auditor's report in %(thing)s"),
                                        about=_report),
    "report.text": phrase(_l("%(actor)s edited a section of %(thing)s"), about=_report),
    "report.objective": phrase(
        lambda c: (_l("%(actor)s judged objective %(objective)s achieved in %(thing)s"),)
        if c.get("achieved") else
        (_l("%(actor)s judged objective %(objective)s not achieved in %(thing)s"),),
        values=lambda c: known(objective=text(c.get("objective"))), about=_report),
    "engagement.exclusion_reason": phrase(
        _l("%(actor)s explained why objective %(objective)s is left out of %(thing)s"),
        values=lambda c: known(objective=text(c.get("objective"))), about=_report),
    "report.statement_signed": phrase(
        _l("%(actor)s recorded management's statement in %(thing)s as signed by %(name)s on "
           "%(date)s"),
        _l("%(actor)s recorded management's signature on %(thing)s"),
        values=lambda c: known(name=text(c.get("name")), date=text(c.get("signed_on"))),
        about=_report),
    "report.auditor_signed": phrase(_l("%(actor)s signed %(thing)s as the auditor on %(date)s"),
                                    _l("%(actor)s signed %(thing)s as the auditor"),
                                    values=lambda c: known(date=text(c.get("signed_on"))),
                                    about=_report),
    "engagement.issued": phrase(_l("%(actor)s issued %(thing)s dated %(date)s"),
                                _l("%(actor)s issued %(thing)s"),
                                values=lambda c: known(date=text(c.get("report_date"))),
                                about=_report),
    "bundle.requested": phrase(_l("%(actor)s asked for %(thing)s")),
    "bundle.built": phrase(lambda c: (_l("%(actor)s built %(thing)s (1 file)"),)
                           if c.get("files") == 1 else
                           (_l("%(actor)s built %(thing)s (%(files)s files)"),
                            _l("%(actor)s built %(thing)s")),
                           values=lambda c: known(files=number(c.get("files")))),
    "bundle.failed": phrase(_l("%(actor)s could not build %(thing)s")),
    "profile.updated": phrase(_l("%(actor)s updated %(thing)s")),
}
