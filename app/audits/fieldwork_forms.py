"""Forms for recording a whole sample's results on one page, and for the PBC list."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    Form,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from .forms import RESULT_LABELS, _int_or_none
from .results import MAX_NOTE


def _evidence_id(value):
    """An evidence number as given: int when it is one, else the text (the service refuses it)."""
    if value in (None, "", "None"):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip().lstrip("#")
    return int(text) if text.isdigit() and len(text) < 19 else str(value)


class ResultsForm(FlaskForm):
    """The page's form: its CSRF token; the rows are `ResultRowForm`s prefixed `i<item id>`."""


class ResultRowForm(Form):
    """One sampled item's result, note and supporting evidence (no token of its own)."""

    result = SelectField(_l("Result"), choices=[SelectChoice(r.value, label)
                                                for r, label in RESULT_LABELS.items()])
    note = StringField(_l("Note"), validators=[Length(max=MAX_NOTE)])
    evidence_id = SelectField(_l("Evidence"), coerce=_evidence_id, validate_choice=False)
    version = HiddenField()

    def version_number(self) -> int:
        """The item version the page was built with (0 when missing or garbled)."""
        value = self.version.data or ""
        return int(value) if value.isdigit() and len(value) < 10 else 0


class PbcRequestForm(FlaskForm):
    """Ask for evidence within an engagement: for which control, of whom, by when."""

    control = SelectField(_l("Control"), validate_choice=False)
    assignee_id = SelectField(_l("Ask"), coerce=_int_or_none, validators=[Optional()],
                              validate_choice=False,
                              description=_l("Leave empty to ask the control's owner."))
    due_on = DateField(_l("Due"), validators=[Optional()])
    description = TextAreaField(_l("What is needed"), validators=[Length(max=20000)])
