"""The annual wheel's duties, notification settings and calendar feeds in the activity feed.

See ledger/describe.py. A duty is named in the reader's language (its titles are bilingual).
"""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..ledger.describe import Thing, by_id, id_number, known, phrase, text
from .models import Duty


def _duty_titles(session, ids: list[str]) -> dict:
    numbers = sorted({n for n in map(id_number, ids) if n is not None})
    if not numbers:
        return {}
    danish = str(get_locale()) == "da"
    rows = session.execute(select(Duty.id, Duty.title_en, Duty.title_da)
                           .where(Duty.id.in_(numbers)))
    return {str(i): known(name=(da if danish and da else en)) for i, en, da in rows}


THINGS = {
    # Entries record the English title; the name is looked up, so a Danish reader gets the
    # Danish one (the recorded title is kept for a duty since removed).
    "duty": Thing(nouns=(_l("the duty “%(name)s”"), _l("the duty “%(title)s”"),
                         _l("duty %(id)s")),
                  facts=lambda c: known(title=text(c.get("title"))), lookup=_duty_titles,
                  endpoint="notifications.show_duty", link=by_id("duty_id")),
}

PHRASES = {
    "notification_preference.saved": phrase(_l("%(actor)s changed their notification "
                                               "settings")),
    "calendar_feed.created": phrase(_l("%(actor)s created a calendar feed of their deadlines")),
    "calendar_feed.revoked": phrase(_l("%(actor)s revoked their calendar feed")),
    "duty.created": phrase(_l("%(actor)s added %(thing)s to the annual wheel")),
    "duty.updated": phrase(_l("%(actor)s edited %(thing)s")),
    "duty.completed": phrase(_l("%(actor)s completed %(thing)s, due %(due)s"),
                             _l("%(actor)s completed %(thing)s"),
                             values=lambda c: known(due=text(c.get("due_on")))),
}
