"""Engagements, tests, populations, samples and findings in the activity feed.

See ledger/describe.py. A test is named by its control's code ("the test of A.5.15"); work on
a population or a sample links the test's page, where both are shown.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..catalogue.models import Control
from ..ledger.describe import (
    Ref,
    Thing,
    by_fact,
    by_id,
    code,
    int_id,
    known,
    label,
    name_lookup,
    number,
    phrase,
    rows_lookup,
    text,
)
from .deviation_forms import SEVERITY_LABELS as _SEVERITIES
from .forms import RESULT_LABELS
from .models import ControlTest, Deviation, Engagement, Population, Sample
from .views import STATUS_WORDS

CONCLUSIONS = {"no_deviations": _l("No deviations"),
               "not_material": _l("Deviations, not material"),
               "material": _l("Material deviations"), "open": _l("Open")}
_RESULTS = {result.value: words for result, words in RESULT_LABELS.items()}


def _test(changes, entity_id=None) -> Ref | None:
    test = int_id(changes.get("test"))
    return Ref("control_test", test) if test else None


def _tests_of(model):
    """Facts of populations or samples: their test and its control's code."""
    return rows_lookup(lambda ids: select(model.id, model.test_id, Control.code)
                       .join(ControlTest, ControlTest.id == model.test_id)
                       .join(Control, Control.id == ControlTest.control_id)
                       .where(model.id.in_(ids)), "test", "name")


THINGS = {
    "engagement": Thing(nouns=(_l("the engagement “%(name)s”"), _l("engagement %(id)s")),
                        facts=lambda c: known(name=text(c.get("name"))),
                        lookup=name_lookup(Engagement.name, Engagement.id),
                        endpoint="audits.show_engagement", link=by_id("engagement_id")),
    "control_test": Thing(nouns=(_l("the test of %(name)s"), _l("test %(id)s")),
                          facts=lambda c: known(name=code(c.get("control"))),
                          lookup=rows_lookup(lambda ids: select(ControlTest.id, Control.code)
                                             .join(Control, Control.id == ControlTest.control_id)
                                             .where(ControlTest.id.in_(ids)), "name"),
                          endpoint="audits.show_test", link=by_id("test_id")),
    "population": Thing(nouns=(_l("the population of the test of %(name)s"),
                               _l("population %(id)s")),
                        lookup=_tests_of(Population), needs="test",
                        endpoint="audits.show_test", link=by_fact("test_id", "test")),
    "sample": Thing(nouns=(_l("the sample of the test of %(name)s"), _l("sample %(id)s")),
                    lookup=_tests_of(Sample), needs="test",
                    endpoint="audits.show_test", link=by_fact("test_id", "test")),
    # An engagement's PBC list (what its auditors asked for); evidence requests name it.
    "pbc_list": Thing(nouns=(_l("the PBC list of “%(name)s”"),
                             _l("the PBC list of engagement %(id)s")),
                      lookup=name_lookup(Engagement.name, Engagement.id),
                      endpoint="audits.pbc_list", link=by_id("engagement_id")),
    "deviation": Thing(nouns=(_l("the finding “%(name)s”"), _l("finding %(id)s")),
                       facts=lambda c: known(name=text(c.get("title"))),
                       lookup=name_lookup(Deviation.title, Deviation.id),
                       endpoint="deviations.show_deviation", link=by_id("deviation_id")),
}


def _status(changes) -> tuple:
    before, after = (changes.get("status") or [None, None])[:2]
    if before == "review" and after in ("planning", "fieldwork"):
        return (_l("%(actor)s sent %(thing)s back from review to %(status)s"),)
    return (_l("%(actor)s moved %(thing)s to %(status)s"),
            _l("%(actor)s changed the status of %(thing)s"))


PHRASES = {
    "engagement.created": phrase(
        _l("%(actor)s created %(thing)s with %(tests)s tests"),
        _l("%(actor)s created %(thing)s"),
        values=lambda c: known(tests=number(c.get("tests")) if c.get("tests") != 1 else None)),
    "engagement.status": phrase(_status,
                                values=lambda c: known(status=label(STATUS_WORDS,
                                                                    c.get("status")))),
    "engagement.commented": phrase(
        _l("%(actor)s commented on %(thing)s"),
        about=lambda c, entity_id: _test(c) or (
            Ref("engagement", int_id(c.get("engagement"))) if c.get("engagement") else None)),
    "test.planned": phrase(_l("%(actor)s changed the plan of %(thing)s")),
    "test.concluded": phrase(
        _l("%(actor)s concluded %(thing)s: %(conclusion)s"), _l("%(actor)s concluded %(thing)s"),
        values=lambda c: known(conclusion=label(CONCLUSIONS, c.get("conclusion")))),
    "test.texts": phrase(_l("%(actor)s edited the texts of %(thing)s")),
    "test.reopened": phrase(_l("%(actor)s reopened %(thing)s")),
    "test.reviewed": phrase(_l("%(actor)s reviewed %(thing)s")),
    "test.review_cleared": phrase(_l("%(actor)s cleared the review of %(thing)s")),
    "test.no_occurrences": phrase(_l("%(actor)s recorded that %(thing)s found nothing to "
                                     "sample in the period")),
    "population.uploaded": phrase(_l("%(actor)s uploaded the population “%(file)s” for %(thing)s"),
                                  _l("%(actor)s uploaded a population for %(thing)s"),
                                  values=lambda c: known(file=text(c.get("file"))),
                                  about=_test),
    "population.imported": phrase(_l("%(actor)s read %(rows)s rows into %(thing)s"),
                                  _l("%(actor)s read %(thing)s"),
                                  values=lambda c: known(rows=number(c.get("rows")))),
    "population.failed": phrase(_l("%(actor)s could not read %(thing)s")),
    "population.removed": phrase(
        _l("%(actor)s removed the population “%(file)s” from %(thing)s"),
        _l("%(actor)s removed a population from %(thing)s"),
        values=lambda c: known(file=text(c.get("file"))), about=_test),
    "sample.drawn": phrase(
        _l("%(actor)s drew a sample of %(size)s from %(population)s items for %(thing)s"),
        _l("%(actor)s drew a sample for %(thing)s"),
        values=lambda c: known(size=number(c.get("size")),
                               population=number(c.get("population_size"))),
        about=_test),
    "sample.expanded": phrase(
        _l("%(actor)s expanded %(thing)s to %(size)s items"),
        _l("%(actor)s expanded %(thing)s"),
        values=lambda c: known(size=number(c.get("size")))),
    "sample.redrawn": phrase(
        lambda c: (_l("%(actor)s re-drew %(thing)s and got the same items"),)
        if c.get("identical") else (_l("%(actor)s re-drew %(thing)s and got different items"),)),
    "sample.item_result": phrase(
        _l("%(actor)s recorded “%(result)s” for population row %(row)s in %(thing)s"),
        _l("%(actor)s recorded a result in %(thing)s"),
        values=lambda c: known(result=label(_RESULTS, c.get("result")),
                               row=number(c["index"] + 1) if isinstance(c.get("index"), int)
                               else None),
        about=_test),
    "deviation.raised": phrase(_l("%(actor)s raised %(thing)s on %(control)s (%(severity)s)"),
                               _l("%(actor)s raised %(thing)s"),
                               values=lambda c: known(control=code(c.get("control")),
                                                      severity=label(_SEVERITIES,
                                                                     c.get("severity")))),
    "deviation.responded": phrase(_l("%(actor)s answered %(thing)s")),
    "deviation.updated": phrase(_l("%(actor)s edited %(thing)s")),
    "deviation.closed": phrase(_l("%(actor)s closed %(thing)s with the evidence “%(evidence)s”"),
                               _l("%(actor)s closed %(thing)s"),
                               values=lambda c: known(evidence=text(c.get("evidence_title")))),
    "deviation.reopened": phrase(_l("%(actor)s reopened %(thing)s")),
}
