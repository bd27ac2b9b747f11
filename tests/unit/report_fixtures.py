"""Realistic ISAE 3000 report data (objectives A–I, 45 activities) for the PDF tests and bench.

Texts are written for Kontrol in the manner of a Danish GDPR processor report; the organisation,
people and findings are invented.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from app.reports.pdf import (
    NO_DEVIATIONS,
    IsaeReport,
    ReportObjective,
    ReportSection,
    ReportTest,
    Signature,
)

# code: (title da, title en, objective da, objective en)
OBJECTIVES = {
    "A": ("Instruks vedrørende behandling", "Instructions for processing",
          "Procedurer og kontroller sikrer, at personoplysninger alene behandles efter instruks "
          "og i overensstemmelse med den indgåede databehandleraftale.",
          "Procedures and controls ensure that personal data is processed only on instructions "
          "and in line with the data processing agreement."),
    "B": ("Tekniske foranstaltninger", "Technical measures",
          "Procedurer og kontroller sikrer, at databehandleren har gennemført tekniske "
          "foranstaltninger, der giver en passende behandlingssikkerhed.",
          "Procedures and controls ensure that the processor has implemented technical "
          "measures that give appropriate security of processing."),
    "C": ("Organisatoriske foranstaltninger", "Organisational measures",
          "Procedurer og kontroller sikrer, at databehandleren har gennemført organisatoriske "
          "foranstaltninger, der giver en passende behandlingssikkerhed.",
          "Procedures and controls ensure that the processor has implemented organisational "
          "measures that give appropriate security of processing."),
    "D": ("Tilbagelevering og sletning", "Return and deletion of personal data",
          "Procedurer og kontroller sikrer, at personoplysninger slettes eller tilbageleveres, "
          "når det er aftalt med den dataansvarlige.",
          "Procedures and controls ensure that personal data is deleted or returned when agreed "
          "with the data controller."),
    "E": ("Opbevaring af personoplysninger", "Storage of personal data",
          "Procedurer og kontroller sikrer, at personoplysninger alene opbevares i "
          "overensstemmelse med aftalen med den dataansvarlige.",
          "Procedures and controls ensure that personal data is stored only in line with the "
          "agreement with the data controller."),
    "F": ("Underdatabehandlere", "Sub-processors",
          "Procedurer og kontroller sikrer, at der kun anvendes godkendte underdatabehandlere, og "
          "at der følges op på deres tekniske og organisatoriske foranstaltninger.",
          "Procedures and controls ensure that only approved sub-processors are used and that "
          "their technical and organisational measures are followed up."),
    "G": ("Overførsel til tredjelande", "Transfers to third countries",
          "Procedurer og kontroller sikrer, at personoplysninger kun overføres til tredjelande "
          "eller internationale organisationer efter aftale og på et gyldigt grundlag.",
          "Procedures and controls ensure that personal data is transferred to third countries "
          "or international organisations only as agreed and on a valid basis."),
    "H": ("De registreredes rettigheder", "Rights of data subjects",
          "Procedurer og kontroller sikrer, at databehandleren kan bistå den dataansvarlige med "
          "udlevering, rettelse, sletning eller begrænsning af personoplysninger.",
          "Procedures and controls ensure that the processor can help the controller to "
          "provide, correct, delete or restrict personal data."),
    "I": ("Brud på persondatasikkerheden", "Personal data breaches",
          "Procedurer og kontroller sikrer, at brud på persondatasikkerheden håndteres som aftalt "
          "i databehandleraftalen.",
          "Procedures and controls ensure that personal data breaches are handled as agreed in "
          "the data processing agreement."),
}

# id: (activity da, activity en, sample population da, sample population en); None = procedure.
ACTIVITIES = {
    "A.1": ("behandling alene sker efter instruks", "processing only on instructions", None),
    "A.2": ("Databehandleren behandler kun de personoplysninger, som instruksen fra den "
            "dataansvarlige omfatter.", "The processor processes only the personal data covered "
            "by the controller's instructions.", ("behandlinger", "processing operations")),
    "A.3": ("Databehandleren giver straks den dataansvarlige besked, hvis en instruks efter "
            "databehandlerens opfattelse strider mod databeskyttelsesreglerne.",
            "The processor tells the controller at once if it believes an instruction breaches "
            "data protection law.", ("vurderede instrukser", "assessed instructions")),
    "B.1": ("aftalte sikkerhedsforanstaltninger", "agreed security measures", None),
    "B.2": ("Databehandleren har gennemført en risikovurdering og har på den baggrund indført "
            "passende tekniske foranstaltninger, herunder de foranstaltninger, der er aftalt med "
            "den dataansvarlige.", "The processor has assessed risks and, on that basis, "
            "implemented appropriate technical measures, including those agreed with the "
            "controller.", ("risici i risikovurderingen", "risks in the risk assessment")),
    "B.3": ("Systemer og databaser med personoplysninger er beskyttet af antivirus, som "
            "opdateres løbende.", "Systems and databases holding personal data are protected by "
            "anti-virus software that is kept up to date.", ("servere", "servers")),
    "B.4": ("Ekstern adgang til systemer og databaser sker alene gennem en sikret firewall.",
            "External access to systems and databases goes only through a secured firewall.",
            ("firewallregler", "firewall rules")),
    "B.5": ("Interne netværk er segmenteret, så adgangen til systemer med personoplysninger er "
            "begrænset.", "Internal networks are segmented to limit access to systems holding "
            "personal data.", ("netværkssegmenter", "network segments")),
    "B.6": ("Adgang til personoplysninger er begrænset til brugere med et arbejdsbetinget behov.",
            "Access to personal data is limited to users with a work-related need.",
            ("brugeradgange", "user accounts")),
    "B.7": ("Der er etableret systemovervågning med alarmering for systemer og databaser med "
            "personoplysninger.", "Systems and databases holding personal data are monitored, "
            "with alerting.", ("alarmer", "alerts")),
    "B.8": ("Fortrolige og følsomme personoplysninger krypteres effektivt, når de sendes over "
            "internettet eller med e-mail.", "Confidential and sensitive personal data is "
            "encrypted effectively when sent over the internet or by e-mail.",
            ("transmissioner", "transmissions")),
    "B.9": ("Der logges i systemer, databaser og netværk:\n- aktiviteter udført af "
            "systemadministratorer og andre med særlige rettigheder\n- ændringer i "
            "logopsætning og brugerrettigheder\n- fejlede forsøg på log-on\nLoggene er beskyttet "
            "mod manipulation og gennemgås løbende.", "Systems, databases and networks log:\n"
            "- actions by system administrators and other privileged users\n- changes to log "
            "settings and user rights\n- failed log-on attempts\nLogs are protected against "
            "tampering and reviewed regularly.", ("dages logning", "days of logging")),
    "B.10": ("Personoplysninger, der bruges til udvikling og test, er pseudonymiserede eller "
             "anonymiserede.", "Personal data used for development and testing is pseudonymised "
             "or anonymised.", ("test- og udviklingsdatabaser", "test and development databases")),
    "B.11": ("De tekniske foranstaltninger afprøves løbende ved sårbarhedsscanninger og "
             "penetrationstest.", "Technical measures are tested regularly by vulnerability scans "
             "and penetration tests.", ("scanningsrapporter", "scan reports")),
    "B.12": ("Ændringer af systemer, databaser og netværk følger faste procedurer, så relevante "
             "opdateringer og sikkerhedsrettelser installeres.", "Changes to systems, databases "
             "and networks follow set procedures so that relevant updates and security patches "
             "are installed.", ("ændringer", "changes")),
    "B.13": ("Der er en formel proces for tildeling og fjernelse af brugeradgange. Adgangene "
             "revurderes mindst én gang årligt.", "There is a formal process for granting and "
             "removing user access. Access rights are reviewed at least once a year.",
             ("fratrådte medarbejdere", "leavers")),
    "B.14": ("Adgang til systemer med behandling, der medfører høj risiko for de registrerede, "
             "kræver tofaktorautentifikation.", "Access to systems with high-risk processing "
             "requires two-factor authentication.", ("brugere", "users")),
    "B.15": ("Kun autoriserede personer har fysisk adgang til lokaler og datacentre med "
             "personoplysninger.", "Only authorised people have physical access to premises and "
             "data centres holding personal data.", ("adgangskort", "access cards")),
    "C.1": ("informationssikkerhedspolitikken, som ledelsen godkender", "the information "
            "security policy approved by management", None),
    "C.2": ("Ledelsen har sikret, at informationssikkerhedspolitikken ikke strider mod de "
            "indgåede databehandleraftaler.", "Management has made sure that the information "
            "security policy does not conflict with the data processing agreements.",
            ("databehandleraftaler", "data processing agreements")),
    "C.3": ("Nye medarbejdere efterprøves ved ansættelsen, i relevant omfang med referencer, "
            "straffeattest og eksamensbeviser.", "New staff are screened on hiring, as relevant "
            "with references, criminal record and diplomas.", ("nyansatte", "new hires")),
    "C.4": ("Medarbejdere underskriver en fortrolighedsaftale ved ansættelsen og introduceres "
            "til informationssikkerhedspolitikken.", "Staff sign a confidentiality agreement on "
            "hiring and are introduced to the information security policy.",
            ("nyansatte", "new hires")),
    "C.5": ("Ved fratrædelse inaktiveres brugerens rettigheder, og udleverede aktiver inddrages.",
            "On leaving, the user's rights are disabled and issued assets are returned.",
            ("fratrådte medarbejdere", "leavers")),
    "C.6": ("Fratrådte medarbejdere orienteres om, at tavshedspligten fortsat gælder.",
            "Leavers are told that their duty of confidentiality continues.",
            ("fratrådte medarbejdere", "leavers")),
    "C.7": ("Medarbejderne gennemfører løbende awareness-træning i it-sikkerhed og "
            "behandlingssikkerhed.", "Staff take regular awareness training in IT security and "
            "security of processing.", ("medarbejdere", "employees")),
    "D.1": ("opbevaring og sletning af personoplysninger efter aftalen", "storage and deletion "
            "of personal data as agreed", None),
    "D.2": ("Databehandleraftalerne fastlægger opbevaringsperioder og sletterutiner for den "
            "enkelte dataansvarlige.", "The data processing agreements set retention periods and "
            "deletion routines for each controller.", ("sletninger", "deletions")),
    "D.3": ("Ved ophør af behandlingen tilbageleveres eller slettes personoplysningerne efter "
            "den dataansvarliges valg.", "When processing ends, personal data is returned or "
            "deleted as the controller chooses.", ("ophørte kunder", "terminated customers")),
    "E.1": ("opbevaring af personoplysninger i overensstemmelse med aftalen", "storage of "
            "personal data in line with the agreement", None),
    "E.2": ("Behandling og opbevaring sker kun på lokaliteter, som den dataansvarlige har "
            "godkendt.", "Processing and storage take place only at locations the controller "
            "has approved.", ("behandlingsaktiviteter", "processing activities")),
    "F.1": ("brug af underdatabehandlere, herunder underdatabehandleraftaler og instruks",
            "the use of sub-processors, including sub-processor agreements and instructions",
            None),
    "F.2": ("Der anvendes kun underdatabehandlere, som den dataansvarlige har godkendt "
            "specifikt eller generelt.", "Only sub-processors approved specifically or generally "
            "by the controller are used.", ("underdatabehandlere", "sub-processors")),
    "F.3": ("Den dataansvarlige underrettes rettidigt om ændringer i generelt godkendte "
            "underdatabehandlere.", "The controller is told in good time of changes to "
            "generally approved sub-processors.", ("ændringer", "changes")),
    "F.4": ("Underdatabehandlere er pålagt de samme databeskyttelsesforpligtelser som "
            "databehandleren.", "Sub-processors are bound by the same data protection "
            "obligations as the processor.", ("underdatabehandleraftaler", "sub-processor "
            "agreements")),
    "F.5": ("Der føres en oversigt over godkendte underdatabehandlere med navn, CVR-nr., "
            "adresse og beskrivelse af behandlingen.", "A list of approved sub-processors gives "
            "name, company number, address and a description of the processing.",
            ("underdatabehandlere", "sub-processors")),
    "F.6": ("Der følges op på den enkelte underdatabehandler ud fra en ajourført "
            "risikovurdering, og den dataansvarlige orienteres om opfølgningen.", "Each "
            "sub-processor is followed up based on an up-to-date risk assessment, and the "
            "controller is told what was done.", ("underdatabehandlere", "sub-processors")),
    "G.1": ("overførsel til tredjelande på et gyldigt overførselsgrundlag", "transfers to third "
            "countries on a valid transfer basis", None),
    "G.2": ("Personoplysninger overføres kun til tredjelande efter instruks fra den "
            "dataansvarlige.", "Personal data is transferred to third countries only on the "
            "controller's instructions.", ("overførsler", "transfers")),
    "G.3": ("Der er for hver overførsel vurderet og dokumenteret et gyldigt "
            "overførselsgrundlag.", "A valid transfer basis is assessed and documented for "
            "every transfer.", ("overførsler", "transfers")),
    "H.1": ("bistand til den dataansvarlige vedrørende de registreredes rettigheder",
            "assisting the controller with data subjects' rights", None),
    "H.2": ("Procedurerne muliggør rettidig bistand med udlevering, rettelse, sletning og "
            "begrænsning af personoplysninger.", "Procedures allow timely help with providing, "
            "correcting, deleting and restricting personal data.", ("anmodninger", "requests")),
    "I.1": ("underretning af de dataansvarlige ved brud på persondatasikkerheden", "notifying "
            "controllers of personal data breaches", None),
    "I.2": ("Brud opdages gennem awareness hos medarbejderne, overvågning af netværkstrafik og "
            "opfølgning på logning af adgang.", "Breaches are detected through staff awareness, "
            "network traffic monitoring and follow-up on access logs.",
            ("hændelser", "incidents")),
    "I.3": ("Den dataansvarlige underrettes uden unødig forsinkelse og senest 24 timer efter, at "
            "databehandleren er blevet opmærksom på et brud.", "The controller is notified "
            "without undue delay and within 24 hours of the processor becoming aware of a "
            "breach.", ("registrerede brud", "recorded breaches")),
    "I.4": ("Procedurerne for bistand ved anmeldelse til Datatilsynet beskriver bruddets "
            "karakter, sandsynlige konsekvenser og trufne foranstaltninger.", "Procedures for "
            "helping with notification to the authority describe the breach, its likely "
            "consequences and the measures taken.", ("anmeldelser", "notifications")),
}

DEVIATIONS = {
    "B.13": ("Ved stikprøve på 25 fratrådte medarbejdere har vi konstateret, at adgangen for 2 "
             "først blev lukket henholdsvis 9 og 14 dage efter fratrædelsen.\n\nVi har ikke "
             "konstateret, at adgangene er anvendt efter fratrædelsen.\n\nLedelsens kommentar: "
             "HR-systemet sender nu automatisk besked til it-afdelingen på fratrædelsesdagen.",
             "In a sample of 25 leavers we found that access for 2 was removed only 9 and 14 "
             "days after they left.\n\nWe found no use of the accounts after the leaving "
             "date.\n\nManagement's comment: the HR system now notifies IT automatically on "
             "the leaving date."),
}


def _test_text(activity_id: str, population: tuple[str, str] | None, lang: str) -> str:
    if population is None:
        return ("Inspiceret, at der foreligger formaliserede procedurer for området.\n"
                "Inspiceret, at procedurerne er vurderet og opdateret inden for det seneste år, "
                "og at ændringer er godkendt af ledelsen." if lang == "da" else
                "Inspected that formal procedures exist for the area.\n"
                "Inspected that the procedures were assessed and updated within the last year "
                "and that changes were approved by management.")
    items = population[0 if lang == "da" else 1]
    if lang == "da":
        return (f"Forespurgt relevant personale om, hvordan kontrol {activity_id} udføres.\n"
                f"Inspiceret ved en stikprøve på {items} i erklæringsperioden, at kontrollen er "
                "udført som beskrevet og dokumenteret.\nInspiceret, at eventuelle afvigelser er "
                "fulgt op rettidigt.")
    return (f"Inquired of relevant staff how control {activity_id} is performed.\nInspected a "
            f"sample of {items} in the period to confirm the control was performed as described "
            "and documented.\nInspected that any deviations were followed up in good time.")


def _activity_text(entry: tuple, lang: str) -> str:
    if entry[2] is not None:
        return entry[0 if lang == "da" else 1]
    topic = entry[0 if lang == "da" else 1]
    if lang == "da":
        return (f"Der foreligger skriftlige procedurer for {topic}.\nDer foretages løbende – og "
                "mindst én gang årligt – vurdering af, om procedurerne skal opdateres.")
    return (f"Written procedures exist for {topic}.\nThe procedures are assessed continuously, "
            "and at least once a year, for update.")


def sample_objectives(lang: str, failing: tuple[str, ...] = ("B.13",),
                      not_relevant: tuple[str, ...] = ()) -> tuple[ReportObjective, ...]:
    """Objectives A–I with all 45 activities; `failing` activities carry a deviation."""
    index = 0 if lang == "da" else 1
    objectives = []
    for code, (title_da, title_en, text_da, text_en) in OBJECTIVES.items():
        tests = tuple(
            ReportTest(
                activity_id=activity_id,
                activity=_activity_text(entry, lang),
                test_performed=_test_text(activity_id, entry[2], lang),
                result=(DEVIATIONS.get(activity_id, ("Afvigelse konstateret.",
                                                     "Deviation noted."))[index]
                        if activity_id in failing else NO_DEVIATIONS[lang]),
            )
            for activity_id, entry in ACTIVITIES.items() if activity_id.startswith(code + ".")
        )
        reason = None
        if code in not_relevant:
            reason = ("Databehandleren overfører ikke personoplysninger til tredjelande."
                      if lang == "da" else
                      "The processor does not transfer personal data to third countries.")
        objectives.append(ReportObjective(
            code=code, title=(title_da, title_en)[index], objective=(text_da, text_en)[index],
            not_relevant_reason=reason, tests=() if reason else tests))
    return tuple(objectives)


STATEMENT = {
    "da": "Søhøj Løn & Data A/S behandler personoplysninger på vegne af kunder i henhold til "
          "databehandleraftaler.\n\nDen medfølgende beskrivelse er udarbejdet til brug for "
          "kunder, der har anvendt lønbehandling hos Søhøj Løn & Data A/S, og som har "
          "tilstrækkelig forståelse til at vurdere beskrivelsen sammen med anden information, "
          "herunder om kontroller, de selv har udført.\n\nSøhøj Løn & Data A/S bekræfter, at:\n"
          "- beskrivelsen i afsnit 3 giver en retvisende præsentation af ydelsen {period}\n"
          "- kontrollerne knyttet til kontrolmålene var hensigtsmæssigt udformet og "
          "fungerede effektivt {period}\n- der er etableret og opretholdt passende tekniske "
          "og organisatoriske foranstaltninger\n\nAarhus, den 28. februar 2026\n\n"
          "Åse Ærø Østergaard\nadministrerende direktør",
    "en": "Søhøj Løn & Data A/S processes personal data on behalf of customers under data "
          "processing agreements.\n\nThe accompanying description has been prepared for "
          "customers who have used payroll processing at Søhøj Løn & Data A/S and who understand "
          "it well enough to consider it with other information, including controls they "
          "performed themselves.\n\nSøhøj Løn & Data A/S confirms that:\n- the description in "
          "section 3 fairly presents the service {period}\n- the controls related to the control "
          "objectives were suitably designed and operated effectively {period}\n- appropriate "
          "technical and organisational measures have been established and maintained\n\n"
          "Aarhus, 28 February 2026\n\nÅse Ærø Østergaard\nChief Executive Officer",
}
AUDITOR = {
    "da": "# Omfang\nVi har fået til opgave at afgive erklæring om beskrivelsen i afsnit 3 og om "
          "udformningen og funktionaliteten af de kontroller, der knytter sig til kontrolmålene "
          "{period}.\n\n# Revisors ansvar\nVi har udført vores arbejde i overensstemmelse med "
          "ISAE 3000 (ajourført) med henblik på at opnå høj grad af sikkerhed. Handlingerne har "
          "omfattet forespørgsel, inspektion, observation og genudførelse.\n\n# Konklusion\n"
          "Det er vores opfattelse, at kontrollerne i alle væsentlige henseender var "
          "hensigtsmæssigt udformet og fungerede effektivt {period}.\n\nAarhus, den 1. marts 2026"
          "\nRevisionsfirmaet Å & Ø\nstatsautoriseret revisor",
    "en": "# Scope\nWe were engaged to report on the description in section 3 and on the design "
          "and operating effectiveness of the controls related to the control objectives "
          "{period}.\n\n# Auditor's responsibilities\nWe performed our work in accordance with "
          "ISAE 3000 (revised) to obtain reasonable assurance. Our procedures included inquiry, "
          "inspection, observation and re-performance.\n\n# Opinion\nIn our opinion the controls "
          "were, in all material respects, suitably designed and operated effectively {period}."
          "\n\nAarhus, 1 March 2026\nRevisionsfirmaet Å & Ø\nState-authorised public accountant",
}
DESCRIPTION = {
    "da": "# Indledning og omfang\nSøhøj Løn & Data A/S leverer lønbehandling til danske "
          "virksomheder og behandler i den forbindelse almindelige personoplysninger, CPR-numre "
          "og oplysninger om fravær på vegne af kunderne.\n\n# Organisering\nEn arbejdsgruppe "
          "med it-chefen, den administrerende direktør og en ekstern DPO mødes månedligt og "
          "følger op på kontrollerne.\n\n# Underdatabehandlere\nDrift af servere er outsourcet "
          "til Nordlys Hosting ApS. Ændringer varsles kunderne mindst 30 dage i forvejen.",
    "en": "# Introduction and scope\nSøhøj Løn & Data A/S provides payroll processing to Danish "
          "companies and processes ordinary personal data, CPR numbers and absence data on "
          "behalf of its customers.\n\n# Organisation\nA working group of the IT manager, the "
          "chief executive and an external DPO meets monthly and follows up on the controls."
          "\n\n# Sub-processors\nServer operations are outsourced to Nordlys Hosting ApS. "
          "Customers are given at least 30 days' notice of changes.",
}


def _sections(text: str) -> tuple[ReportSection, ...]:
    """'# Heading' blocks as report sections."""
    sections = []
    for block in text.split("# ")[1:]:
        heading, _newline, body = block.partition("\n")
        sections.append(ReportSection(heading.strip(), body.strip()))
    return tuple(sections)


def sample_report(lang: str = "da", **changes) -> IsaeReport:
    """A full, realistic 45-activity type 2 report for 2025; keyword arguments override fields."""
    failing = changes.pop("failing", ("B.13",))
    not_relevant = changes.pop("not_relevant", ())
    period = ("i hele perioden fra 1. januar 2025 til 31. december 2025" if lang == "da"
              else "throughout the period 1 January 2025 to 31 December 2025")
    report = IsaeReport(
        lang=lang,
        organisation="Søhøj Løn & Data A/S",
        service="Lønbehandling og HR-portal" if lang == "da" else "Payroll and HR portal",
        report_type=2,
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
        auditor_firm="Revisionsfirmaet Å & Ø",
        statement=(ReportSection("", STATEMENT[lang].format(period=period)
                                 .split("\n\nAarhus")[0]),),
        statement_signature=Signature(
            "Aarhus, den 28. februar 2026" if lang == "da" else "Aarhus, 28 February 2026",
            ("Åse Ærø Østergaard",
             "administrerende direktør" if lang == "da" else "Chief Executive Officer")),
        auditor_title=("Uafhængig revisors ISAE 3000-erklæring med sikkerhed" if lang == "da"
                       else "Independent auditor's ISAE 3000 assurance report"),
        auditor_sections=_sections(AUDITOR[lang].format(period=period).split("\n\nAarhus")[0]),
        auditor_signature=Signature(
            "Aarhus, den 1. marts 2026" if lang == "da" else "Aarhus, 1 March 2026",
            ("Ærbar Revisor", "statsautoriseret revisor" if lang == "da"
             else "State-Authorised Public Accountant", "mne12345"),
            firm=("Revisionsfirmaet Å & Ø", "CVR-nr. 12 34 56 78")),
        processing_description=DESCRIPTION[lang],
        objectives=sample_objectives(lang, failing, not_relevant),
        draft=False,
        report_date=date(2026, 3, 2),
        sub_processors=("Nordlys Hosting ApS (CVR 12345678) – drift af servere",)
        if lang == "da" else ("Nordlys Hosting ApS (CVR 12345678) – server operations",),
        complementary_controls=(
            ("At sikre, at personoplysningerne er ajourførte",
             "At sikre, at instruksen er lovlig og passende")
            if lang == "da" else
            ("Keeping personal data up to date", "Making sure instructions are lawful and apt")),
    )
    return replace(report, **changes)
