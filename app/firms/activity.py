"""Audit firms and their members in the activity feed (see ledger/describe.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..ledger.describe import (
    Thing,
    by_fact,
    by_id,
    known,
    name_lookup,
    person,
    phrase,
    rows_lookup,
    text,
)
from .models import AuditFirm, AuditFirmMember

THINGS = {
    "audit_firm": Thing(nouns=(_l("the audit firm %(name)s"), _l("audit firm %(id)s")),
                        facts=lambda c: known(name=text(c.get("name"))),
                        lookup=name_lookup(AuditFirm.name, AuditFirm.id),
                        endpoint="firms.show_firm", link=by_id("firm_id")),
    # A membership is named by its firm; a removed one keeps the name its entry recorded.
    "audit_firm_member": Thing(
        nouns=(_l("the audit firm %(name)s"), _l("the audit firm %(firm)s"),
               _l("audit firm membership %(id)s")),
        facts=lambda c: known(firm=text(c.get("firm"))),
        lookup=rows_lookup(lambda ids: select(AuditFirmMember.id, AuditFirmMember.firm_id,
                                              AuditFirm.name)
                           .join(AuditFirm, AuditFirm.id == AuditFirmMember.firm_id)
                           .where(AuditFirmMember.id.in_(ids)), "firm_id", "name"),
        needs="firm_id", endpoint="firms.show_firm", link=by_fact("firm_id", "firm_id")),
}

PHRASES = {
    "firm.created": phrase(_l("%(actor)s registered %(thing)s")),
    "firm.updated": phrase(_l("%(actor)s edited %(thing)s")),
    "firm.member_added": phrase(_l("%(actor)s added %(user)s to %(thing)s"),
                                values=lambda c: known(user=person(c.get("user")))),
    "firm.member_removed": phrase(_l("%(actor)s removed %(user)s from %(thing)s"),
                                  values=lambda c: known(user=person(c.get("user")))),
}
