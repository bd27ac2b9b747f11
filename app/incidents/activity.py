"""Incidents, breaches and their notifications in the activity feed (ledger/describe.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..ledger.describe import Thing, by_id, known, name_lookup, now_value, phrase, text
from .models import AUTHORITY, Incident


def _notified(first: bool):
    def texts(changes) -> tuple:
        to_authority = changes.get("recipient") == AUTHORITY
        late = bool(changes.get("late"))
        if first:
            table = {(True, False): _l("%(actor)s recorded that Datatilsynet was notified of "
                                       "%(thing)s"),
                     (True, True): _l("%(actor)s recorded that Datatilsynet was notified of "
                                      "%(thing)s, late"),
                     (False, False): _l("%(actor)s recorded that %(recipient)s was notified of "
                                        "%(thing)s"),
                     (False, True): _l("%(actor)s recorded that %(recipient)s was notified of "
                                       "%(thing)s, late")}
        else:
            table = {(True, False): _l("%(actor)s recorded a further submission to Datatilsynet "
                                       "on %(thing)s"),
                     (True, True): _l("%(actor)s recorded a further submission to Datatilsynet "
                                      "on %(thing)s, late"),
                     (False, False): _l("%(actor)s recorded a further submission to "
                                        "%(recipient)s on %(thing)s"),
                     (False, True): _l("%(actor)s recorded a further submission to "
                                       "%(recipient)s on %(thing)s, late")}
        return (table[(to_authority, late)], _l("%(actor)s recorded a notification of %(thing)s"))

    return texts


def _subjects(changes) -> tuple:
    return {"inform": (_l("%(actor)s decided to inform the data subjects of %(thing)s"),),
            "not_required": (_l("%(actor)s decided that the data subjects of %(thing)s need "
                                "not be informed"),),
            }.get(now_value(changes.get("subjects_decision")),
                  (_l("%(actor)s recorded the decision on informing the data subjects of "
                      "%(thing)s"),))


THINGS = {
    "incident": Thing(nouns=(_l("the incident “%(name)s”"), _l("incident %(id)s")),
                      facts=lambda c: known(name=text(c.get("title"))),
                      lookup=name_lookup(Incident.title, Incident.id),
                      endpoint="incidents.show_incident", link=by_id("incident_id")),
}

_recipient = {"values": lambda c: known(recipient=text(c.get("recipient")))}
_controller = {"values": lambda c: known(controller=text(c.get("controller")))}

PHRASES = {
    "incident.reported": phrase(_l("%(actor)s reported %(thing)s")),
    "incident.registered": phrase(_l("%(actor)s registered %(thing)s")),
    "incident.qualified": phrase(_l("%(actor)s assessed %(thing)s and began the investigation")),
    "incident.updated": phrase(_l("%(actor)s edited %(thing)s")),
    "incident.action_added": phrase(_l("%(actor)s added a follow-up action to %(thing)s")),
    "incident.action_updated": phrase(_l("%(actor)s updated a follow-up action of %(thing)s")),
    "incident.management_report": phrase(_l("%(actor)s attached the outage report to top "
                                             "management to %(thing)s")),
    "incident.chair_informed": phrase(_l("%(actor)s recorded that the chair of the security "
                                         "committee was told of %(thing)s")),
    "incident.closed": phrase(_l("%(actor)s closed %(thing)s")),
    "incident.reopened": phrase(_l("%(actor)s reopened %(thing)s")),
    "incident.content_saved": phrase(_l("%(actor)s edited the notification text of %(thing)s")),
    "incident.notified": phrase(_notified(first=True), **_recipient),
    "incident.submission_added": phrase(_notified(first=False), **_recipient),
    "incident.subjects_decided": phrase(_subjects),
    "incident.controller_added": phrase(_l("%(actor)s added the controller %(controller)s to "
                                           "%(thing)s"),
                                        _l("%(actor)s added a controller to %(thing)s"),
                                        **_controller),
    "incident.controller_removed": phrase(_l("%(actor)s removed the controller %(controller)s "
                                             "from %(thing)s"),
                                          _l("%(actor)s removed a controller from %(thing)s"),
                                          **_controller),
}
