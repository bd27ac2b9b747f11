"""Recording results for a whole sample on one page.

The page is one form: without JavaScript it is posted at once ("save all", or "save and mark the
rest as no deviation"); `static/js/results.js` adds saving row by row, posting one row to
`record_result`, which answers JSON. Errors stay at their row with the input kept.
"""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..auth.current import current_actor
from ..auth.permissions import Permission, requires
from ..errors import Conflict, DomainError, Forbidden, Invalid
from ..extensions import db
from . import access, results, service
from .fieldwork_forms import ResultRowForm, ResultsForm
from .forms import RESULT_LABELS
from .models import ItemResult, SampleItem
from .views import _test_or_404, bp


def _text(error: DomainError) -> str:
    """The error's message in the interface language, when the service made it translatable."""
    template = getattr(error, "template", None)
    return _(template, **error.params) if template else error.message


def _row_form(item: SampleItem, formdata=None) -> ResultRowForm:
    return ResultRowForm(formdata=formdata, prefix=f"i{item.id}", obj=None if formdata else item,
                         version=item.version)


def _row(item: SampleItem, form: ResultRowForm) -> results.ResultRow:
    return results.ResultRow(item.id, form.result.data or "", form.note.data,
                             form.evidence_id.data, form.version_number())


def _lock_reason(actor, test) -> str | None:
    """Why the results cannot be changed now, or None when they can."""
    if not access.can_perform(actor, test.engagement):
        return (_("This engagement has been issued and is read-only.")
                if test.engagement.is_issued else
                _("Only the audit firm's auditors on this engagement may record its results."))
    if test.is_concluded:
        return _("The test is concluded: its fieldwork is locked. Reopen it (with a reason) to "
                 "change populations, samples or results.")
    if test.engagement.fieldwork_locked:
        return _("The engagement is in review: its fieldwork is locked. Move it back to "
                 "fieldwork (with a reason) to change populations, samples or results.")
    return None


def _page(test, rows: dict[int, ResultRowForm] | None = None, status: int = 200):
    actor = current_actor()
    items = results.current_items(test)
    rows = rows or {item.id: _row_form(item) for item in items}
    choices = results.evidence_choices(db.session, actor, test)
    attached = results.attached_evidence(db.session, items)
    options = [("", "—")] + [(e.id, f"#{e.id} {e.title}") for e in choices]
    offered = {e.id for e in choices}
    for item in items:
        extra = attached.get(item.evidence_id)
        field = rows[item.id].evidence_id
        field.choices = options + ([(extra.id, f"#{extra.id} {extra.title}")]
                                   if extra is not None and extra.id not in offered else [])
    return render_template(
        "audits/results.html", test=test, engagement=test.engagement, items=items, rows=rows,
        form=ResultsForm(), counts=service.result_counts(test), attached=attached,
        locked=_lock_reason(actor, test), has_choices=bool(choices)), status


@bp.get("/tests/<int:test_id>/results")
@requires(Permission.VIEW_AUDITS)
def results_page(test_id: int):
    """Every sampled item of the test with its result, note and evidence, editable at once."""
    return _page(_test_or_404(test_id))


def _saved_message(saved: results.Saved) -> str:
    parts = []
    if saved.saved:
        parts.append(ngettext("%(num)d result saved.", "%(num)d results saved.", saved.saved))
        deviations = saved.by_result.get(ItemResult.DEVIATION.value, 0)
        if deviations:
            parts.append(ngettext("%(num)d of them is a deviation.",
                                  "%(num)d of them are deviations.", deviations))
    if saved.marked_rest:
        parts.append(ngettext("%(num)d item not yet tested was recorded as no deviation.",
                              "%(num)d items not yet tested were recorded as no deviation.",
                              saved.marked_rest))
    return " ".join(parts) or _("Nothing changed: no result was saved.")


@bp.post("/tests/<int:test_id>/results")
@requires(Permission.PERFORM_TESTS)
def save_results(test_id: int):
    """Save every changed row at once (and, if asked, mark the rest as no deviation)."""
    test = _test_or_404(test_id)
    if not ResultsForm().validate_on_submit():
        flash(_("The form expired. Reload the page and enter the results again."), "error")
        return redirect(url_for("audits.results_page", test_id=test.id))
    items = results.current_items(test)
    rows = {item.id: _row_form(item, request.form) for item in items}
    posted = [_row(item, rows[item.id]) for item in items
              if f"i{item.id}-result" in request.form]
    try:
        saved = results.record_results(db.session, current_actor(), test, posted,
                                       rest_no_deviation=request.form.get("rest") == "1")
    except results.RowErrors as error:
        for item_id, fields in error.rows.items():
            for name, problem in fields.items():
                rows[item_id][name].errors = [_text(problem)]
        flash(_text(error), "error")
        return _page(test, rows, 422)
    except (Invalid, Conflict, Forbidden) as error:
        flash(_text(error), "error")
        return _page(test, rows, 409 if isinstance(error, Conflict) else 422)
    flash(_saved_message(saved), "success")
    return redirect(url_for("audits.results_page", test_id=test.id))


def _answer(ok: bool, message: str, status: int = 200, *, test_id: int, **extra):
    """JSON for the page's script; a redirect with the message for a plain form post."""
    if request.accept_mimetypes.best == "application/json":
        return jsonify({"ok": ok, "message": message, **extra}), status
    flash(message, "success" if ok else "error")
    item = extra.get("item") or {}
    return redirect(url_for("audits.results_page", test_id=test_id)
                    + (f"#item-{item['id']}" if item else ""))


@bp.post("/items/<int:item_id>")
@requires(Permission.PERFORM_TESTS)
def record_result(item_id: int):
    """Save one row of the results page (the page's script calls it; it answers JSON)."""
    item = db.session.get(SampleItem, item_id)
    if item is None:
        abort(404)
    test = service.get_test(db.session, current_actor(), item.sample.test_id)
    if not ResultsForm().validate_on_submit():
        return _answer(False, _("The form expired. Reload the page and enter the result "
                                "again."), 400, test_id=test.id)
    form = ResultRowForm(request.form, prefix=f"i{item.id}")
    row = _row(item, form)
    try:
        results.record_result(db.session, current_actor(), item, row.result, row.note,
                              row.evidence_id, row.version)
    except Invalid as error:
        return _answer(False, _text(error), 422, test_id=test.id,
                       errors={error.field or "result": _text(error)})
    except (Conflict, Forbidden) as error:
        return _answer(False, _text(error), 409 if isinstance(error, Conflict) else 403,
                       test_id=test.id)
    counts = service.result_counts(test)
    return _answer(True, _("Item %(number)s saved: %(result)s.", number=item.population_index + 1,
                           result=RESULT_LABELS[ItemResult(item.result)]),
                   test_id=test.id, item={"id": item.id, "version": item.version,
                                          "result": item.result},
                   counts={"sampled": counts.sampled, "pending": counts.pending,
                           "deviations": counts.deviations,
                           "recorded": counts.sampled - counts.pending})
