"""Forms for engagements, test plans, populations, samples, results and conclusions."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from ..errors import Invalid
from ..forms import optional_id
from . import sampling
from .models import Conclusion, EngagementKind, ItemResult, TestMethod

KIND_LABELS = {
    EngagementKind.INTERNAL: _l("Internal audit"),
    EngagementKind.ISO27001_INTERNAL: _l("ISO 27001 internal audit"),
    EngagementKind.ISAE3000_TYPE1: _l("ISAE 3000 type 1 (at a date)"),
    EngagementKind.ISAE3000_TYPE2: _l("ISAE 3000 type 2 (over a period)"),
}
METHOD_LABELS = {
    TestMethod.INQUIRY: _l("Inquiry"),
    TestMethod.INSPECTION: _l("Inspection"),
    TestMethod.OBSERVATION: _l("Observation"),
    TestMethod.REPERFORMANCE: _l("Re-performance"),
}
RESULT_LABELS = {
    ItemResult.PENDING: _l("Not tested yet"),
    ItemResult.NO_DEVIATION: _l("No deviation"),
    ItemResult.DEVIATION: _l("Deviation"),
    ItemResult.NOT_APPLICABLE: _l("Not applicable"),
}
FREQUENCY_LABELS = {
    "annual": _l("annual"), "semi-annual": _l("semi-annual"), "quarterly": _l("quarterly"),
    "monthly": _l("monthly"), "semi-monthly": _l("semi-monthly"), "weekly": _l("weekly"),
    "daily": _l("daily"), "multiple-daily": _l("several times a day"),
    "automated": _l("automated"), "event-driven": _l("event-driven"),
}
FREQUENCY_CHOICES = list(FREQUENCY_LABELS)


_int_or_none = optional_id


class RateField(StringField):
    """A rate typed as 5 %, 5%, 0.05 or 0,05: `data` is the decimal fraction as text ("0.05").

    What was typed is shown again as typed, with the reason under the field when it is not a
    rate (the same parser as the API and the pure sampling module).
    """

    rate_error: Invalid | None = None

    def process_formdata(self, valuelist):
        """Keep the text; turn it into the decimal fraction when it is a rate."""
        super().process_formdata(valuelist)
        self.rate_error = None
        text = (self.data or "").strip()
        self.data = text or None
        if text:
            try:
                self.data = str(sampling.parse_rate(text, self.name))
            except Invalid as error:
                self.rate_error = error

    def pre_validate(self, form):
        """The parser's reason, in the user's language."""
        if self.rate_error is not None:
            raise ValidationError(_(self.rate_error.template, **self.rate_error.params))

    def _value(self):
        return self.raw_data[0] if self.raw_data else (self.data or "")


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as checkboxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class EngagementForm(FlaskForm):
    """Plan an engagement: kind, period, scope and people."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k.value, label)
                                            for k, label in KIND_LABELS.items()])
    period_start = DateField(_l("First day of the period"), validators=[Optional()],
                             description=_l("Leave empty for a type 1 report."))
    period_end = DateField(_l("Last day of the period, or the date (type 1)"),
                           validators=[DataRequired()])
    catalogues = CheckboxesField(_l("Catalogues in scope"), validate_choice=False)
    controls = StringField(_l("Single controls in scope"), description=_l(
        "Control keys separated by commas, e.g. iso27001-2022:A.8.15"))
    team = CheckboxesField(_l("Internal audit team"), coerce=optional_id, validate_choice=False)
    firm_id = SelectField(_l("Audit firm (ISAE 3000)"), coerce=_int_or_none,
                          validate_choice=False)
    partner_id = SelectField(_l("Engagement partner (ISAE 3000)"), coerce=_int_or_none,
                             validate_choice=False, description=_l(
                                 "The firm's state-authorised auditor who signs the report."))
    externals = CheckboxesField(_l("The firm's other auditors on the engagement"),
                                coerce=optional_id,
                                validate_choice=False)
    description = TextAreaField(_l("Purpose and notes"), validators=[Length(max=4000)])


class TestPlanForm(FlaskForm):
    """How a control is tested and how large the sample is."""

    methods = CheckboxesField(_l("Test methods"), choices=[
        SelectChoice(m.value, label) for m, label in METHOD_LABELS.items()])
    procedure = TextAreaField(_l("Planned procedure (workpapers)"),
                              validators=[Length(max=8000)])
    frequency = SelectField(_l("Control frequency"),
                            choices=[SelectChoice(f, label)
                                     for f, label in FREQUENCY_LABELS.items()])
    risk_level = SelectField(_l("Risk"), choices=[
        SelectChoice("low", _l("Low")), SelectChoice("moderate", _l("Moderate")),
        SelectChoice("high", _l("High"))])
    sizing_method = RadioField(_l("Sample size from"), choices=[
        SelectChoice("frequency", _l("Control frequency")),
        SelectChoice("attribute", _l("Statistical attribute sampling"))])
    risk = SelectField(_l("Risk of overreliance"), choices=[
        SelectChoice("", "—"), SelectChoice("0.05", "5 %"), SelectChoice("0.10", "10 %")])
    tolerable_rate = RateField(_l("Tolerable deviation rate"),
                               description=_l("0.5 % to 50 %, e.g. 5 %, 0.05 or 0,05"))
    expected_rate = RateField(_l("Expected deviation rate"),
                              description=_l("Below the tolerable rate, e.g. 1 %, 0.01 or 0,01"))
    override_size = IntegerField(_l("Sample size override"),
                                 validators=[Optional(), NumberRange(min=1, max=100000)])
    override_reason = TextAreaField(_l("Reason for the override"), validators=[Length(max=2000)])
    version = HiddenField()


class SamplingCalculatorForm(FlaskForm):
    """The calculator's plan (a GET form: bookmarkable, no CSRF token)."""

    class Meta:
        """Reading a calculation changes nothing, so there is no token to check."""

        csrf = False

    risk = SelectField(_l("Risk of overreliance"), default="0.05", choices=[
        SelectChoice("0.05", "5 %"), SelectChoice("0.10", "10 %")])
    tolerable = RateField(_l("Tolerable rate"), default="0.05",
                          description=_l("0.5 % to 50 %, e.g. 5 %, 0.05 or 0,05"))
    expected = RateField(_l("Expected rate"), default="0",
                         description=_l("Below the tolerable rate, e.g. 1 %, 0.01 or 0,01"))


class PopulationUploadForm(FlaskForm):
    """A population file."""

    file = FileField(_l("CSV or XLSX file"), validators=[FileRequired()])


class PopulationListForm(FlaskForm):
    """A population typed in."""

    items = TextAreaField(_l("Items, one per line"), validators=[DataRequired()])


class DrawForm(FlaskForm):
    """Draw the sample from a population."""

    population_id = HiddenField(validators=[DataRequired()], filters=[optional_id])
    size = IntegerField(_l("Sample size"), validators=[Optional(), NumberRange(min=1, max=5000)])


class ExpandForm(FlaskForm):
    """Add items to a sample (after a deviation, say)."""

    extra = IntegerField(_l("Add items"), validators=[DataRequired(),
                                                      NumberRange(min=1, max=5000)])


class TestTextsForm(FlaskForm):
    """What the report prints for a test, in English and Danish."""

    test_performed_en = TextAreaField(_l("Test performed (English)"),
                                      validators=[Length(max=8000)], description=_l(
                                          "In the past tense, as the report prints it."))
    test_performed_da = TextAreaField(_l("Test performed (Danish)"),
                                      validators=[Length(max=8000)])
    result_text_en = TextAreaField(_l("Deviations found (English)"),
                                   validators=[Length(max=8000)], description=_l(
                                       "What was found; the report adds how many items."))
    result_text_da = TextAreaField(_l("Deviations found (Danish)"),
                                   validators=[Length(max=8000)])
    management_comment_en = TextAreaField(_l("Management's comment (English)"),
                                          validators=[Length(max=8000)])
    management_comment_da = TextAreaField(_l("Management's comment (Danish)"),
                                          validators=[Length(max=8000)])
    version = HiddenField()


class ConclusionForm(TestTextsForm):
    """The auditor's conclusion on a test, with the texts the report prints."""

    judgement = RadioField(_l("The deviations are"), choices=[
        SelectChoice(Conclusion.NOT_MATERIAL.value, _l("not material")),
        SelectChoice(Conclusion.MATERIAL.value, _l("material"))], validate_choice=False)
    justification = TextAreaField(
        _l("Why the deviations are not material"), validators=[Length(max=4000)],
        description=_l("Needed when the sample does not support reliance; the workpapers "
                       "print it."))


class ReasonForm(FlaskForm):
    """Reopen a test: the reason goes to the ledger."""

    reason = StringField(_l("Reason"), validators=[Length(max=2000)])
    version = HiddenField()


class NoOccurrencesForm(FlaskForm):
    """The control did not operate in the period."""

    note = StringField(_l("How this was established"), validators=[Length(max=2000)])
    version = HiddenField()


class CommentForm(FlaskForm):
    """A comment on an engagement or test."""

    body = TextAreaField(_l("Comment"), validators=[DataRequired(), Length(max=5000)])


class StatusForm(FlaskForm):
    """Move the engagement to another status (back from review: with a reason)."""

    status = HiddenField(validators=[DataRequired()])
    reason = StringField(_l("Reason for reopening the fieldwork"),
                         validators=[Length(max=2000)])
    version = HiddenField()


class VersionForm(FlaskForm):
    """Only the version (reopen)."""

    version = HiddenField()
