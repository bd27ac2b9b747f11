"""Forms for audit firms and their members."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import Length, Optional


class FirmForm(FlaskForm):
    """A firm as its auditor's reports name it."""

    name = StringField(_l("Firm name"), validators=[Length(max=200)],
                       description=_l("As it signs, e.g. \"Revision & Partnere, "
                                      "Statsautoriseret Revisionspartnerselskab\"."))
    cvr = StringField(_l("CVR number"), validators=[Length(max=20)])
    address = StringField(_l("Address"), validators=[Length(max=300)])
    city = StringField(_l("City"), validators=[Length(max=100)],
                       description=_l("Where the firm signs its reports."))
    version = HiddenField()


class MemberForm(FlaskForm):
    """Add an external-auditor account to the firm."""

    user_id = SelectField(_l("External auditor"), coerce=int, validate_choice=False)
    mne = StringField(_l("MNE number"), validators=[Optional(), Length(max=16)],
                      description=_l("Only for a state-authorised public accountant "
                                     "(statsautoriseret revisor), who may be engagement "
                                     "partner."))
