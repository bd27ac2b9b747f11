"""Forms of the deadline pages: annual-wheel duties, completing one, e-mail preferences."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional

from ..governance.forms import CheckboxesField
from .models import Digest


class DutyForm(FlaskForm):
    """A duty of the annual wheel."""

    title_en = StringField(_l("Title (English)"))
    title_da = StringField(_l("Title (Danish)"))
    owner_id = SelectField(_l("Owner"), coerce=lambda v: int(v) if v else None,
                           validate_choice=False)
    rrule = StringField(_l("Recurrence (RFC 5545 RRULE)"), description=_l(
        "For example FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=31 (every 31 March) or "
        "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=15 (every quarter)."))
    starts_on = DateField(_l("Starts on"), validators=[Optional()])
    controls = SelectMultipleField(_l("Controls"), validate_choice=False)
    description_en = TextAreaField(_l("Description (English)"))
    description_da = TextAreaField(_l("Description (Danish)"))
    active = BooleanField(_l("Active (on the wheel and reminded)"), default=True)
    version = HiddenField()


class CompleteForm(FlaskForm):
    """Completing the open occurrence of a duty, with its evidence."""

    due_on = HiddenField()
    completed_on = DateField(_l("Done on"), validators=[Optional()])
    file = FileField(_l("Evidence file"), description=_l(
        "Kept in the evidence store for the duty's controls."))
    evidence_id = IntegerField(_l("…or an existing evidence item (number)"),
                               validators=[Optional()])
    note = TextAreaField(_l("Note"))


DIGEST_LABELS = {Digest.IMMEDIATE: _l("After each scan that finds something"),
                 Digest.DAILY: _l("At most once a day")}


class PreferencesForm(FlaskForm):
    """Which kinds of deadline reach me by e-mail, and how often."""

    email_kinds = CheckboxesField(_l("Send me e-mail about"), validate_choice=False)
    digest = RadioField(_l("E-mail digest"), choices=[
        SelectChoice(key.value, label) for key, label in DIGEST_LABELS.items()],
                        default=Digest.IMMEDIATE.value)
