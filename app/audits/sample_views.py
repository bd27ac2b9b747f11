"""Audit pages for the fieldwork of a test: populations and samples (results: results_views)."""

from __future__ import annotations

from flask import abort, flash, jsonify
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from ..auth.current import current_actor
from ..auth.permissions import Permission, requires
from ..errors import Conflict, Forbidden, Invalid
from ..evidence.views import settings as evidence_settings
from ..extensions import db
from . import populations, samples, service
from .forms import (
    DrawForm,
    ExpandForm,
    NoOccurrencesForm,
    PopulationListForm,
    PopulationUploadForm,
    VersionForm,
)
from .models import Population, Sample
from .views import _back_to_test, _flash_error, _test_or_404, bp

FAILURES = (Invalid, Conflict, Forbidden)


@bp.post("/tests/<int:test_id>/population")
@requires(Permission.PERFORM_TESTS)
def upload_population(test_id: int):
    """Upload a population file; it is imported in the background."""
    test = _test_or_404(test_id)
    try:
        form = PopulationUploadForm()
        if not form.validate_on_submit():
            flash(_("Choose a CSV or XLSX file."), "error")
            return _back_to_test(test_id, "#population")
        config = evidence_settings()
        upload = form.file.data
        populations.upload_population(db.session, current_actor(), test, upload.stream,
                                      upload.filename, config.store, config.max_bytes)
    except RequestEntityTooLarge:
        flash(_("The file is larger than the upload limit."), "error")
    except FAILURES as error:
        _flash_error(error)
    else:
        flash(_("Population uploaded."), "success")
    return _back_to_test(test_id, "#population")


@bp.post("/tests/<int:test_id>/population/list")
@requires(Permission.PERFORM_TESTS)
def enter_population(test_id: int):
    """Type the population as a list."""
    test = _test_or_404(test_id)
    form = PopulationListForm()
    if form.validate_on_submit():
        try:
            populations.enter_population(db.session, current_actor(), test, form.items.data,
                                         evidence_settings().store)
        except FAILURES as error:
            _flash_error(error)
        else:
            flash(_("Population recorded."), "success")
    else:
        flash(_("Enter the items, one per line."), "error")
    return _back_to_test(test_id, "#population")


@bp.get("/populations/<int:population_id>/progress")
@requires(Permission.VIEW_AUDITS)
def population_progress(population_id: int):
    """Import progress as JSON, polled by the progress bar."""
    population = populations.get_population(db.session, population_id)
    service.get_test(db.session, current_actor(), population.test_id)  # access check
    return jsonify({"status": population.status, "rows_read": population.rows_read,
                    "row_count": population.row_count, "error": population.error})


@bp.post("/populations/<int:population_id>/remove")
@requires(Permission.PERFORM_TESTS)
def remove_population(population_id: int):
    """Remove a population no sample was drawn from."""
    population = populations.get_population(db.session, population_id)
    test = service.get_test(db.session, current_actor(), population.test_id)
    if VersionForm().validate_on_submit():
        try:
            samples.remove_population(db.session, current_actor(), population)
        except FAILURES as error:
            _flash_error(error)
        else:
            flash(_("Population removed."), "success")
    return _back_to_test(test.id, "#population")


@bp.post("/tests/<int:test_id>/no-occurrences")
@requires(Permission.PERFORM_TESTS)
def record_no_occurrences(test_id: int):
    """Record that the control did not operate in the period."""
    test = _test_or_404(test_id)
    form = NoOccurrencesForm()
    if form.validate_on_submit():
        try:
            samples.record_no_occurrences(db.session, current_actor(), test, form.note.data,
                                          int(form.version.data or 0))
        except FAILURES as error:
            _flash_error(error)
        else:
            flash(_("Recorded: no occurrences in the period."), "success")
    return _back_to_test(test_id, "#population")


@bp.post("/tests/<int:test_id>/sample")
@requires(Permission.PERFORM_TESTS)
def draw_sample(test_id: int):
    """Draw the sample from the chosen population."""
    test = _test_or_404(test_id)
    form = DrawForm()
    if form.validate_on_submit():
        population = db.session.get(Population, int(form.population_id.data))
        if population is None:
            abort(404)
        try:
            sample = samples.draw_sample(db.session, current_actor(), test, population,
                                         evidence_settings().store, form.size.data)
        except FAILURES as error:
            _flash_error(error)
        else:
            flash(_("Sample drawn: %(n)s items.", n=sample.size), "success")
    else:
        flash(_("Give a sample size between 1 and 5000."), "error")
    return _back_to_test(test_id, "#sample")


def _sample_or_404(sample_id: int) -> Sample:
    sample = db.session.get(Sample, sample_id)
    if sample is None:
        abort(404)
    service.get_test(db.session, current_actor(), sample.test_id)  # access check
    return sample


@bp.post("/samples/<int:sample_id>/expand")
@requires(Permission.PERFORM_TESTS)
def expand_sample(sample_id: int):
    """Add items to the sample, keeping the first ones."""
    sample = _sample_or_404(sample_id)
    form = ExpandForm()
    if form.validate_on_submit():
        try:
            samples.expand_sample(db.session, current_actor(), sample, form.extra.data,
                                  evidence_settings().store)
        except FAILURES as error:
            _flash_error(error)
        else:
            flash(_("Sample expanded to %(n)s items.", n=sample.size), "success")
    else:
        flash(_("Give the number of items to add."), "error")
    return _back_to_test(sample.test_id, "#sample")


@bp.post("/samples/<int:sample_id>/redraw")
@requires(Permission.REDRAW_SAMPLE)
def redraw_sample(sample_id: int):
    """Re-perform the selection from the stored seed."""
    sample = _sample_or_404(sample_id)
    if VersionForm().validate_on_submit():
        result = samples.redraw_sample(db.session, current_actor(), sample,
                                       evidence_settings().store)
        flash(result.message, "success" if result.identical else "error")
    return _back_to_test(sample.test_id, "#sample")
