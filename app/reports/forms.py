"""Forms for the organisation profile and export bundles."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class ProfileForm(FlaskForm):
    """Who the organisation is, for the report texts."""

    name = StringField(_l("Organisation name"), validators=[DataRequired(), Length(max=200)])
    registration_no = StringField(_l("Company registration number (CVR)"),
                                  validators=[Length(max=32)])
    service_en = StringField(_l("Service (English)"), validators=[Length(max=300)])
    service_da = StringField(_l("Service (Danish)"), validators=[Length(max=300)])
    processing_en = TextAreaField(_l("Description of the processing (English)"))
    processing_da = TextAreaField(_l("Description of the processing (Danish)"))
    complementary_controls_en = TextAreaField(
        _l("Complementary controls at the data controllers (English)"),
        description=_l("One per line."))
    complementary_controls_da = TextAreaField(
        _l("Complementary controls at the data controllers (Danish)"),
        description=_l("One per line."))
    auditor_firm = StringField(_l("Auditor firm"), validators=[Length(max=200)])
    signatory = StringField(_l("Signed by (management)"), validators=[Length(max=200)])
    version = HiddenField()


class BundleForm(FlaskForm):
    """Start an export bundle."""

    lang = RadioField(_l("Language"), choices=[SelectChoice("da", "Dansk"),
                                               SelectChoice("en", "English")], default="da")
    include_files = BooleanField(_l("Include the evidence files"))
