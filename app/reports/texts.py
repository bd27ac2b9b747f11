"""Report wording in Danish and English that is filled from the organisation profile."""

from __future__ import annotations

MANAGEMENT_STATEMENT = {
    "en": """{name} processes personal data on behalf of its customers, the data controllers, under data processing agreements, in connection with {service}.

The description in section 3 is written for the data controllers that have used {service} and for their auditors. They have enough understanding to consider it, together with other information, when they assess whether the requirements of the EU General Data Protection Regulation (GDPR) have been met.
{carve_out}
Some control objectives can only be achieved if the data controllers' own complementary controls are suitably designed and operate effectively together with ours. They are listed after this statement.

# Confirmation
{name} confirms that:
- the description in section 3 fairly presents the processing of personal data and the controls {period}, including the types of data, how they are processed, the technical and organisational measures, and how breaches are detected and reported;
- the controls related to the control objectives in section 4 were suitably designed {operating}, assuming that the data controllers' complementary controls operated as intended;
- the description does not omit or distort information relevant to the scope of the processing.

{place_date}
{signatory}""",
    "da": """{name} behandler personoplysninger på vegne af sine kunder, de dataansvarlige, efter databehandleraftaler i forbindelse med {service}.

Beskrivelsen i afsnit 3 er udarbejdet til de dataansvarlige, der har anvendt {service}, og til deres revisorer. De har tilstrækkelig forståelse til at tage den i betragtning sammen med anden information, når de vurderer, om kravene i EU's databeskyttelsesforordning (GDPR) er overholdt.
{carve_out}
Visse kontrolmål kan kun nås, hvis de dataansvarliges egne komplementerende kontroller er hensigtsmæssigt udformet og fungerer effektivt sammen med vores. De er oplistet efter denne udtalelse.

# Bekræftelse
{name} bekræfter, at:
- beskrivelsen i afsnit 3 giver et retvisende billede af behandlingen af personoplysninger og kontrollerne {period}, herunder typerne af oplysninger, hvordan de behandles, de tekniske og organisatoriske foranstaltninger, og hvordan brud opdages og rapporteres;
- kontrollerne knyttet til kontrolmålene i afsnit 4 var hensigtsmæssigt udformet {operating}, under forudsætning af at de dataansvarliges komplementerende kontroller fungerede som forudsat;
- beskrivelsen ikke udelader eller forvansker oplysninger af betydning for behandlingens omfang.

{place_date}
{signatory}""",
}

CARVE_OUT = {
    "en": "\n{name} uses sub-processors. Their control objectives and controls are not part of "
          "this description or of the auditor's report (the partial method); the "
          "sub-processors are listed after this statement.\n",
    "da": "\n{name} anvender underdatabehandlere. Deres kontrolmål og kontroller indgår ikke i "
          "denne beskrivelse eller i revisors erklæring (partielmetoden); "
          "underdatabehandlerne er oplistet efter denne udtalelse.\n",
}

OPERATING = {
    ("en", 1): "at that date",
    ("en", 2): "and operated effectively throughout the period",
    ("da", 1): "på denne dato",
    ("da", 2): "og fungerede effektivt i hele perioden",
}

NOT_CONCLUDED = {"en": "Not concluded yet.", "da": "Endnu ikke afsluttet."}
MANAGEMENT_COMMENT = {"en": "Management's comment:", "da": "Ledelsens kommentar:"}
SAMPLE = {"en": "Sample: {size} of {population} items.",
          "da": "Stikprøve: {size} ud af {population}."}
NO_AUDITOR_REPORT = {
    "en": "The independent auditor's report has not been written yet.",
    "da": "Den uafhængige revisors erklæring er endnu ikke udarbejdet.",
}
DEFAULT_SERVICE = {"en": "its services", "da": "sine ydelser"}
