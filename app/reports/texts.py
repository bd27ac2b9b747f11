"""The default wording of management's statement (section 1) and the auditor's report (section 2).

Written for Kontrol in Danish and English after the structure of published Danish ISAE 3000
GDPR assurance reports for data processors. Pure: `ReportFacts` in, texts out. The auditor
(or, for section 1, the organisation) may replace any editable section in each language.

Text conventions understood by the PDF builder: blank lines separate paragraphs, lines starting
with "- " are bullets, "(i) " starts an indented criterion, "a) " a lettered one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MISSING = {"da": "[mangler dansk tekst]", "en": "[English text missing]"}
NOT_CONCLUDED = {"en": "Not concluded yet.", "da": "Endnu ikke afsluttet."}
MANAGEMENT_COMMENT = {"en": "Management's comment:", "da": "Ledelsens kommentar:"}
NO_DEVIATIONS = {"en": "No material deviations noted.",
                 "da": "Ingen væsentlige afvigelser konstateret."}
NO_FURTHER = {"en": "No further material deviations noted.",
              "da": "Ingen yderligere væsentlige afvigelser konstateret."}
MATERIAL_NOTE = {
    "en": "The deviation is material; see the basis for qualified opinion in section 2.",
    "da": "Afvigelsen er væsentlig, jf. grundlaget for konklusion med forbehold i afsnit 2.",
}
NO_OCCURRENCES_RESULT = {
    "en": "There were no occurrences in the period, so the control's operation could not be "
          "tested.",
    "da": "Der har ikke været forekomster i perioden, hvorfor kontrollens funktion ikke kunne "
          "testes.",
}
DEFAULT_SERVICE = {"en": "its services", "da": "sine ydelser"}
STATE_AUTHORISED = {"en": "State-Authorised Public Accountant", "da": "statsautoriseret revisor"}

# Editable sections, in the order they print.
STATEMENT_KEYS = ("statement_intro",)
AUDITOR_KEYS = ("addressees", "scope", "responsibility", "independence",
                "auditor_responsibility", "limitations", "basis", "emphasis", "tests",
                "intended_users")
EDITABLE_KEYS = STATEMENT_KEYS + AUDITOR_KEYS

HEADINGS = {
    "da": {"statement_intro": "Indledning", "addressees": "Titel og modtagere",
           "scope": "Omfang", "responsibility": "{name}s ansvar",
           "independence": "Revisors uafhængighed og kvalitetsstyring",
           "auditor_responsibility": "Revisors ansvar",
           "limitations": "Begrænsninger i kontroller hos en databehandler",
           "basis": "Grundlag for konklusion med forbehold", "opinion": "Konklusion",
           "opinion_qualified": "Konklusion med forbehold",
           "emphasis": "Fremhævelse af forhold",
           "tests": "Beskrivelse af test af kontroller",
           "intended_users": "Tiltænkte brugere og formål"},
    "en": {"statement_intro": "Introduction", "addressees": "Title and addressees",
           "scope": "Scope", "responsibility": "{name}'s responsibilities",
           "independence": "Auditor's independence and quality management",
           "auditor_responsibility": "Auditor's responsibilities",
           "limitations": "Inherent limitations of controls at a data processor",
           "basis": "Basis for qualified opinion", "opinion": "Opinion",
           "opinion_qualified": "Qualified opinion", "emphasis": "Emphasis of matter",
           "tests": "Description of tests of controls",
           "intended_users": "Intended users and purpose"},
}


@dataclass(frozen=True)
class QualifiedObjective:
    """A control objective not achieved: the deviations behind it and the criterion affected."""

    code: str
    title: str
    criterion: str  # "b" (design) or "c" (operating effectiveness)
    deviations: tuple[str, ...]  # "B.9: what was found", or the auditor's own reason


@dataclass(frozen=True)
class ReportFacts:
    """What the default texts are worded from, already in the report's language."""

    lang: str
    organisation: str
    service: str
    report_type: int
    period: str  # "i hele perioden fra 1. januar 2024 til 31. december 2024" / "pr. …"
    firm: str
    sub_processors: tuple[str, ...] = ()  # their names
    not_relevant: tuple[str, ...] = ()  # objective codes declared not relevant
    qualified: tuple[QualifiedObjective, ...] = field(default_factory=tuple)


def possessive(name: str, lang: str) -> str:
    """"Nordlys A/S'" / "Nordlys A/S's": a name in the genitive."""
    if lang == "da":
        return f"{name}'" if name[-1:].lower() in "sxz" else f"{name}s"
    return f"{name}'s"


def heading(key: str, facts: ReportFacts) -> str:
    """A section's heading in the report's language."""
    return HEADINGS[facts.lang][key].replace("{name}s", possessive(facts.organisation, "da")) \
        .replace("{name}'s", possessive(facts.organisation, "en"))


def during(f: ReportFacts) -> str:
    """The period as "in the period from … to …" (changes made during it, or a title)."""
    if f.lang == "da":
        return f.period.replace("i hele perioden", "i perioden", 1)
    return f.period.replace("throughout the period", "during the period", 1)


def _names(items: tuple[str, ...], lang: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    joiner = " og " if lang == "da" else " and "
    return ", ".join(items[:-1]) + joiner + items[-1]


# --- section 1 ------------------------------------------------------------------------------

def statement_intro(f: ReportFacts) -> str:
    """The opening of management's statement (editable)."""
    n, s = f.organisation, f.service
    if f.lang == "da":
        parts = [
            f"{n} behandler personoplysninger på vegne af sine kunder, de dataansvarlige, i "
            f"henhold til databehandleraftaler i forbindelse med {s}.",
            f"Den medfølgende beskrivelse i afsnit 3 er udarbejdet til de dataansvarlige, der har "
            f"anvendt {s}, og som har en tilstrækkelig forståelse til at vurdere beskrivelsen "
            "sammen med anden information, herunder information om de kontroller, som de "
            "dataansvarlige selv har udført, når de vurderer, om kravene i EU's "
            "databeskyttelsesforordning og databeskyttelsesloven (herefter "
            "»databeskyttelsesreglerne«) er overholdt."]
        if f.sub_processors:
            parts.append(
                f"{n} anvender underdatabehandlerne {_names(f.sub_processors, 'da')}, jf. "
                "afsnit 3. Erklæringen anvender partielmetoden og omfatter ikke de kontrolmål "
                f"og kontroller, som underdatabehandlerne varetager for {n}.")
        parts.append(
            "Enkelte af de kontrolmål, der er anført i beskrivelsen i afsnit 3, kan kun nås, hvis "
            "de komplementerende kontroller hos de dataansvarlige er hensigtsmæssigt udformet og "
            "fungerer effektivt sammen med vores kontroller. Erklæringen omfatter ikke "
            "udformningen og funktionen af disse komplementerende kontroller.")
        return "\n\n".join(parts)
    parts = [
        f"{n} processes personal data on behalf of its customers, the data controllers, under "
        f"data processing agreements in connection with {s}.",
        "The accompanying description in section 3 has been prepared for the data controllers "
        f"that have used {s} and that have a sufficient understanding to consider the "
        "description together with other information, including information about controls "
        "that the data controllers have performed themselves, when assessing whether the "
        "requirements of the EU General Data Protection Regulation and the Danish Data "
        "Protection Act (together \"the data protection rules\") have been met."]
    if f.sub_processors:
        parts.append(
            f"{n} uses the sub-processors {_names(f.sub_processors, 'en')}, see section 3. The "
            "report applies the carve-out method and does not cover the control objectives and "
            f"controls that the sub-processors perform for {n}.")
    parts.append(
        "Some of the control objectives stated in the description in section 3 can be achieved "
        "only if the complementary controls at the data controllers are suitably designed and "
        "operate effectively together with our controls. The report does not cover the design "
        "and operating effectiveness of these complementary controls.")
    return "\n\n".join(parts)


def statement_criteria(f: ReportFacts) -> str:
    """Management's confirmation with criteria (a)(i)–(iii), (b)(i)–(iii) and, type 2, (c)."""
    n, s, p = f.organisation, f.service, f.period
    type2 = f.report_type == 2
    if f.lang == "da":
        lines = [
            f"{n} bekræfter, at:", "",
            f"a) Den medfølgende beskrivelse i afsnit 3 giver en tilfredsstillende præsentation "
            f"af {s}, som har behandlet personoplysninger for dataansvarlige omfattet af "
            f"databeskyttelsesreglerne {p}. Kriterierne for denne udtalelse var, at "
            "beskrivelsen:",
            f"(i) redegør for, hvordan {s} og de tilknyttede kontroller var udformet og "
            "implementeret, herunder redegør for:",
            "- de typer af ydelser, der er leveret, og de typer af personoplysninger, der er "
            "behandlet",
            "- de processer i it-systemer og manuelle processer, der er anvendt til at "
            "igangsætte, registrere, behandle og om nødvendigt rette, slette og begrænse "
            "behandlingen af personoplysninger",
            "- de processer, der sikrer, at behandlingen sker i henhold til databehandleraftalen "
            "og den dataansvarliges instruks",
            "- de processer, der sikrer, at de personer, der er autoriseret til at behandle "
            "personoplysninger, har forpligtet sig til fortrolighed eller er underlagt en "
            "passende lovbestemt tavshedspligt",
            "- de processer, der ved ophør af behandlingen sikrer, at personoplysningerne efter "
            "den dataansvarliges valg slettes eller tilbageleveres, medmindre lovgivningen "
            "kræver, at de opbevares",
            "- de processer, der ved brud på persondatasikkerheden understøtter, at den "
            "dataansvarlige kan anmelde bruddet til tilsynsmyndigheden og underrette de "
            "registrerede",
            "- brugen af underdatabehandlere og eventuelle overførsler af personoplysninger til "
            "tredjelande",
            "- de processer, der sikrer passende tekniske og organisatoriske "
            "sikkerhedsforanstaltninger under hensyn til risiciene ved behandlingen, navnlig "
            "ved hændelig eller ulovlig tilintetgørelse, tab, ændring, uautoriseret "
            "videregivelse af eller adgang til personoplysninger",
            "- de kontroller, som vi med henvisning til ydelsens afgrænsning har forudsat "
            "implementeret hos de dataansvarlige, og som er nødvendige for at nå kontrolmålene "
            "i beskrivelsen",
            "- andre forhold ved vores kontrolmiljø, risikovurdering, informationssystemer og "
            "kommunikation, kontrolaktiviteter og overvågning, som er relevante for "
            "behandlingen af personoplysninger"]
        if type2:
            lines.append(f"(ii) indeholder relevante oplysninger om ændringer i {s} og de "
                         f"tilknyttede kontroller foretaget {during(f)}")
        lines += [
            f"({'iii' if type2 else 'ii'}) ikke udelader eller forvansker oplysninger, der er "
            f"relevante for omfanget af {s}, under hensyn til, at beskrivelsen er udarbejdet "
            "til en bred kreds af dataansvarlige og derfor ikke kan omfatte ethvert forhold, "
            "som den enkelte dataansvarlige måtte anse for vigtigt efter sine særlige forhold.",
            "",
            "b) De kontroller, der knytter sig til de kontrolmål, der er anført i den "
            f"medfølgende beskrivelse, var hensigtsmæssigt udformet {p}. Kriterierne for denne "
            "udtalelse var, at:",
            "(i) de risici, der truede opnåelsen af kontrolmålene i beskrivelsen, var "
            "identificeret",
            "(ii) de identificerede kontroller ville, hvis de blev udført som beskrevet, give "
            "høj grad af sikkerhed for, at de pågældende risici ikke forhindrede opnåelsen af "
            "kontrolmålene, og",
            "(iii) kontrollerne var anvendt konsistent som udformet, herunder at manuelle "
            "kontroller blev udført af personer med passende kompetence og beføjelse"
            + (f", {p}." if type2 else ".")]
        if type2:
            lines += [
                "",
                "c) De kontroller, der knytter sig til kontrolmålene i beskrivelsen, har "
                f"fungeret effektivt {p}, og der er etableret og opretholdt passende tekniske "
                "og organisatoriske foranstaltninger for at opfylde aftalerne med de "
                "dataansvarlige, god databehandlerskik og de relevante krav til "
                "databehandlere i databeskyttelsesreglerne."]
        return "\n".join(lines)
    lines = [
        f"{n} confirms that:", "",
        f"a) The accompanying description in section 3 fairly presents {s}, which has "
        "processed personal data for data controllers subject to the data protection rules "
        f"{p}. The criteria used in making this statement were that the description:",
        f"(i) presents how {s} and the related controls were designed and implemented, "
        "including:",
        "- the types of services provided and the types of personal data processed",
        "- the processes in IT systems and manual processes used to initiate, record, process "
        "and, if necessary, rectify, erase and restrict the processing of personal data",
        "- the processes that ensure that processing follows the data processing agreement and "
        "the data controller's instructions",
        "- the processes that ensure that the persons authorised to process personal data have "
        "committed themselves to confidentiality or are under an appropriate statutory duty "
        "of confidentiality",
        "- the processes that, when processing ends, ensure that the personal data is erased "
        "or returned at the data controller's choice, unless the law requires it to be kept",
        "- the processes that, in the event of a personal data breach, support the data "
        "controller in notifying the supervisory authority and communicating with the data "
        "subjects",
        "- the use of sub-processors and any transfers of personal data to third countries",
        "- the processes that ensure appropriate technical and organisational security "
        "measures, taking into account the risks of the processing, in particular of "
        "accidental or unlawful destruction, loss, alteration, unauthorised disclosure of or "
        "access to personal data",
        "- the controls that, given the scope of the service, we assumed would be implemented "
        "by the data controllers and that are necessary to achieve the control objectives in "
        "the description",
        "- other aspects of our control environment, risk assessment, information systems and "
        "communication, control activities and monitoring that are relevant to the processing "
        "of personal data"]
    if type2:
        lines.append(f"(ii) includes relevant details of changes to {s} and the related "
                     f"controls made {during(f)}")
    lines += [
        f"({'iii' if type2 else 'ii'}) does not omit or distort information relevant to the "
        f"scope of {s}, considering that the description is prepared to meet the common needs "
        "of a broad range of data controllers and may therefore not include every aspect that "
        "each data controller may consider important in its own circumstances.",
        "",
        "b) The controls related to the control objectives stated in the accompanying "
        f"description were suitably designed {p}. The criteria used in making this statement "
        "were that:",
        "(i) the risks that threatened the achievement of the control objectives stated in the "
        "description were identified",
        "(ii) the identified controls would, if operated as described, provide reasonable "
        "assurance that those risks did not prevent the control objectives from being "
        "achieved, and",
        "(iii) the controls were consistently applied as designed, including that manual "
        "controls were applied by persons with appropriate competence and authority"
        + (f", {p}." if type2 else ".")]
    if type2:
        lines += [
            "",
            "c) The controls related to the control objectives in the description operated "
            f"effectively {p}, and appropriate technical and organisational measures were "
            "established and maintained to meet the agreements with the data controllers, "
            "sound data processing practice and the relevant requirements for data processors "
            "in the data protection rules."]
    return "\n".join(lines)


# --- section 2 ------------------------------------------------------------------------------

def auditor_title(f: ReportFacts) -> str:
    """The auditor's report's title."""
    if f.lang == "da":
        period = f.period.replace("i hele perioden", "for perioden", 1)
        return ("Uafhængig revisors ISAE 3000-erklæring med sikkerhed om informationssikkerhed "
                f"og foranstaltninger {period} i henhold til databehandleraftaler med "
                "dataansvarlige")
    period = f.period.replace("throughout the period", "for the period", 1)
    return ("Independent auditor's ISAE 3000 assurance report on information security and "
            f"measures {period} pursuant to data processing agreements with data controllers")


def _defaults_da(f: ReportFacts) -> dict[str, str]:
    n, s, p, own = f.organisation, f.service, f.period, possessive(f.organisation, "da")
    type2 = f.report_type == 2
    design = "udformningen og funktionen" if type2 else "udformningen"
    scope = [
        f"Vi har fået som opgave at afgive erklæring om {own} beskrivelse i afsnit 3 af {s} i "
        f"henhold til databehandleraftaler med dataansvarlige {p} (beskrivelsen) og om "
        f"{design} af de kontroller, der knytter sig til de kontrolmål, som er anført i "
        "beskrivelsen.",
        f"Erklæringen omfatter ikke en vurdering af {own} generelle efterlevelse af EU's "
        "databeskyttelsesforordning og databeskyttelsesloven (herefter "
        "»databeskyttelsesreglerne«)."]
    if f.sub_processors:
        scope.append(f"{n} anvender underdatabehandlerne {_names(f.sub_processors, 'da')}. "
                     "Erklæringen anvender partielmetoden og omfatter ikke de kontrolmål og "
                     f"kontroller, som underdatabehandlerne varetager for {n}.")
    if f.not_relevant:
        codes = _names(tuple(f"kontrolmål {c}" for c in f.not_relevant), "da")
        scope.append(f"{n} har vurderet, at {codes} ikke er relevant for behandlingen, jf. "
                     "afsnit 4; det er derfor ikke omfattet af vores handlinger.")
    scope += [
        "Enkelte af kontrolmålene i beskrivelsen kan kun nås, hvis de komplementerende "
        "kontroller hos de dataansvarlige er hensigtsmæssigt udformet og fungerer effektivt "
        f"sammen med {own} kontroller. Erklæringen omfatter ikke disse komplementerende "
        "kontroller.",
        "Vores konklusion udtrykkes med høj grad af sikkerhed."]
    return {
        "addressees": f"Til: {n} og selskabets kunder, de dataansvarlige",
        "scope": "\n\n".join(scope),
        "responsibility":
            f"{n} er ansvarlig for at udarbejde beskrivelsen og den tilhørende udtalelse i "
            "afsnit 1, herunder for at de er fuldstændige og nøjagtige, og for den måde, de er "
            "præsenteret på; for at levere de ydelser, som beskrivelsen omfatter; for at anføre "
            "kontrolmålene og for at udforme, implementere og effektivt udføre kontroller, der "
            "kan nå de anførte kontrolmål.",
        "independence":
            f"Vi er uafhængige af {n} i overensstemmelse med International Ethics Standards "
            "Board for Accountants' internationale retningslinjer for revisorers etiske adfærd "
            "(IESBA Code) og de yderligere etiske krav, der er gældende i Danmark, og vi har "
            "opfyldt vores øvrige etiske forpligtelser efter disse krav. IESBA Code bygger på "
            "de grundlæggende principper om integritet, objektivitet, faglig kompetence og "
            "fornøden omhu, fortrolighed og professionel adfærd."
            f"\n\n{f.firm} anvender International Standard on Quality Management 1 (ISQM 1), "
            "som kræver, at firmaet udformer, implementerer og driver et system for "
            "kvalitetsstyring, herunder politikker og procedurer for overholdelse af etiske "
            "krav, faglige standarder og gældende lov og øvrig regulering.",
        "auditor_responsibility":
            "Vores ansvar er på grundlag af vores handlinger at udtrykke en konklusion om "
            f"{own} beskrivelse og om {design} af de kontroller, der knytter sig til de "
            "kontrolmål, der er anført i beskrivelsen."
            "\n\nVi har udført vores arbejde i overensstemmelse med ISAE 3000 (ajourført), "
            "»Andre erklæringsopgaver med sikkerhed end revision eller review af historiske "
            "finansielle oplysninger«, og de yderligere krav, der er gældende i Danmark, med "
            "henblik på at opnå høj grad af sikkerhed for, at beskrivelsen i alle væsentlige "
            "henseender er tilfredsstillende præsenteret, og at kontrollerne i alle væsentlige "
            "henseender er hensigtsmæssigt udformet"
            + (" og har fungeret effektivt." if type2 else ".")
            + f"\n\nEn erklæringsopgave med sikkerhed om {design} af kontroller hos en "
            "databehandler omfatter handlinger for at opnå bevis for oplysningerne i "
            "databehandlerens beskrivelse og for kontrollernes "
            + ("udformning og funktion" if type2 else "udformning")
            + ". De valgte handlinger afhænger af vores faglige vurdering, herunder vurderingen "
            "af risikoen for, at beskrivelsen ikke er tilfredsstillende præsenteret, og at "
            "kontrollerne ikke er hensigtsmæssigt udformet"
            + (" eller ikke fungerer effektivt. Vores handlinger har omfattet test af "
               "funktionen af de kontroller, som vi anser for nødvendige for at opnå høj grad "
               "af sikkerhed for, at kontrolmålene i beskrivelsen blev nået."
               if type2 else ".")
            + " En erklæringsopgave af denne type omfatter endvidere en vurdering af den "
            "samlede præsentation af beskrivelsen, af hensigtsmæssigheden af kontrolmålene og "
            "af egnetheden af de kriterier, som databehandleren har anført i ledelsens "
            "udtalelse i afsnit 1."
            "\n\nDet er vores opfattelse, at det opnåede bevis er tilstrækkeligt og egnet til at "
            "danne grundlag for vores konklusion.",
        "limitations":
            f"{own} beskrivelse er udarbejdet for at opfylde de almindelige behov hos en bred "
            "kreds af dataansvarlige og omfatter derfor ikke nødvendigvis alle de forhold ved "
            f"{s}, som den enkelte dataansvarlige måtte anse for vigtige efter sine særlige "
            "forhold. Kontroller hos en databehandler vil som følge af deres art muligvis ikke "
            "forhindre eller opdage alle brud på persondatasikkerheden."
            + (" Endvidere er fremskrivning af enhver vurdering af funktionen til fremtidige "
               "perioder underlagt risikoen for, at kontroller hos en databehandler bliver "
               "utilstrækkelige eller svigter." if type2 else ""),
        "basis": basis(f),
        "emphasis": "",
        "tests": "De specifikke kontroller, der blev testet, samt arten, den tidsmæssige "
                 "placering og resultaterne af testene fremgår af afsnit 4.",
        "intended_users":
            "Denne erklæring og beskrivelsen af test af kontroller i afsnit 4 er udelukkende "
            f"tiltænkt dataansvarlige, der har anvendt {s}, og som har en tilstrækkelig "
            "forståelse til at overveje den sammen med anden information, herunder information "
            "om kontroller, som de dataansvarlige selv har udført, når de vurderer, om kravene "
            "i databeskyttelsesreglerne er overholdt.",
    }


def _defaults_en(f: ReportFacts) -> dict[str, str]:
    n, s, p, own = f.organisation, f.service, f.period, possessive(f.organisation, "en")
    type2 = f.report_type == 2
    design = "design and operating effectiveness" if type2 else "design"
    scope = [
        f"We have been engaged to report on {own} description in section 3 of {s} pursuant "
        f"to data processing agreements with data controllers {p} (the description) and on "
        f"the {design} of the controls related to the control objectives stated in the "
        "description.",
        f"This report does not cover an assessment of {own} general compliance with the EU "
        "General Data Protection Regulation and the Danish Data Protection Act (together \"the "
        "data protection rules\")."]
    if f.sub_processors:
        scope.append(f"{n} uses the sub-processors {_names(f.sub_processors, 'en')}. The "
                     "report applies the carve-out method and does not cover the control "
                     f"objectives and controls that the sub-processors perform for {n}.")
    if f.not_relevant:
        codes = _names(tuple(f"control objective {c}" for c in f.not_relevant), "en")
        scope.append(f"{n} has assessed that {codes} is not relevant to the processing, see "
                     "section 4; it is therefore not covered by our procedures.")
    scope += [
        "Some of the control objectives in the description can be achieved only if the "
        "complementary controls at the data controllers are suitably designed and operate "
        f"effectively together with {own} controls. This report does not cover these "
        "complementary controls.",
        "Our opinion is expressed with reasonable assurance."]
    return {
        "addressees": f"To: {n} and its customers, the data controllers",
        "scope": "\n\n".join(scope),
        "responsibility":
            f"{n} is responsible for preparing the description and the accompanying statement "
            "in section 1, including their completeness and accuracy and the way they are "
            "presented; for providing the services covered by the description; for stating the "
            "control objectives; and for designing, implementing and effectively operating "
            "controls to achieve the stated control objectives.",
        "independence":
            f"We are independent of {n} in accordance with the International Ethics Standards "
            "Board for Accountants' International Code of Ethics for Professional Accountants "
            "(IESBA Code) and the additional ethical requirements applicable in Denmark, and we "
            "have fulfilled our other ethical responsibilities in accordance with these "
            "requirements. The IESBA Code is founded on the fundamental principles of "
            "integrity, objectivity, professional competence and due care, confidentiality and "
            "professional behaviour."
            f"\n\n{f.firm} applies International Standard on Quality Management 1 (ISQM 1), "
            "which requires the firm to design, implement and operate a system of quality "
            "management, including policies and procedures regarding compliance with ethical "
            "requirements, professional standards and applicable legal and regulatory "
            "requirements.",
        "auditor_responsibility":
            "Our responsibility is to express an opinion, based on our procedures, on "
            f"{own} description and on the {design} of the controls related to the control "
            "objectives stated in that description."
            "\n\nWe conducted our engagement in accordance with ISAE 3000 (Revised), "
            "\"Assurance Engagements Other Than Audits or Reviews of Historical Financial "
            "Information\", and the additional requirements applicable in Denmark, to obtain "
            "reasonable assurance about whether, in all material respects, the description is "
            "fairly presented and the controls are suitably designed"
            + (" and operated effectively." if type2 else ".")
            + f"\n\nAn assurance engagement to report on the {design} of controls at a data "
            "processor involves performing procedures to obtain evidence about the disclosures "
            f"in the processor's description and about the {design} of the controls. The "
            "procedures selected depend on our professional judgement, including the "
            "assessment of the risks that the description is not fairly presented and that "
            "the controls are not suitably designed"
            + (" or do not operate effectively. Our procedures included testing the operating "
               "effectiveness of those controls that we consider necessary to provide "
               "reasonable assurance that the control objectives stated in the description "
               "were achieved." if type2 else ".")
            + " An assurance engagement of this type also includes evaluating the overall "
            "presentation of the description, the suitability of the control objectives and "
            "the suitability of the criteria specified by the data processor in management's "
            "statement in section 1."
            "\n\nWe believe that the evidence we have obtained is sufficient and appropriate "
            "to provide a basis for our opinion.",
        "limitations":
            f"{own} description is prepared to meet the common needs of a broad range of data "
            f"controllers and may therefore not include every aspect of {s} that each data "
            "controller may consider important in its own circumstances. Because of their "
            "nature, controls at a data processor may not prevent or detect all personal data "
            "breaches."
            + (" Also, the projection of any evaluation of operating effectiveness to future "
               "periods is subject to the risk that controls at a data processor may become "
               "inadequate or fail." if type2 else ""),
        "basis": basis(f),
        "emphasis": "",
        "tests": "The specific controls tested and the nature, timing and results of those "
                 "tests are listed in section 4.",
        "intended_users":
            "This report and the description of tests of controls in section 4 are intended "
            f"only for data controllers that have used {s} and that have a sufficient "
            "understanding to consider them together with other information, including "
            "information about controls that the data controllers have performed themselves, "
            "when assessing whether the requirements of the data protection rules have been "
            "met.",
    }


def defaults(f: ReportFacts) -> dict[str, str]:
    """The default text of every editable section."""
    values = _defaults_da(f) if f.lang == "da" else _defaults_en(f)
    values["statement_intro"] = statement_intro(f)
    return values


CRITERION_WORDS = {
    "da": {"b": "de pågældende kontroller ikke været hensigtsmæssigt udformet",
           "c": "de pågældende kontroller ikke fungeret effektivt"},
    "en": {"b": "the controls concerned were not suitably designed",
           "c": "the controls concerned did not operate effectively"},
}


def basis(f: ReportFacts) -> str:
    """The basis for qualified opinion: each objective not achieved, its deviations and effect."""
    if not f.qualified:
        return ""
    paragraphs = []
    for objective in f.qualified:
        found = " ".join(objective.deviations)
        if f.lang == "da":
            paragraphs.append(
                f"Kontrolmål {objective.code} ({objective.title}). {found} Som følge heraf har "
                f"{CRITERION_WORDS['da'][objective.criterion]} {f.period}, og kontrolmål "
                f"{objective.code} er ikke nået.")
        else:
            paragraphs.append(
                f"Control objective {objective.code} ({objective.title}). {found} As a result, "
                f"{CRITERION_WORDS['en'][objective.criterion]} {f.period}, and control "
                f"objective {objective.code} was not achieved.")
    paragraphs.append(
        "Det er vores opfattelse, at det opnåede bevis er tilstrækkeligt og egnet til at danne "
        "grundlag for vores konklusion med forbehold." if f.lang == "da" else
        "We believe that the evidence we have obtained is sufficient and appropriate to "
        "provide a basis for our qualified opinion.")
    return "\n\n".join(paragraphs)


def opinion(f: ReportFacts) -> str:
    """The opinion on criteria (a), (b) and, for type 2, (c); qualified where objectives fail."""
    affected = {objective.criterion for objective in f.qualified}
    s, p = f.service, f.period
    if f.lang == "da":
        unless = (" bortset fra virkningen af det forhold, der er beskrevet i afsnittet "
                  "»Grundlag for konklusion med forbehold«,")
        lines = [
            "Vores konklusion er udformet på grundlag af de forhold, der er redegjort for i "
            "denne erklæring. De kriterier, vi har anvendt ved udformningen af konklusionen, er "
            "de kriterier, der er beskrevet i ledelsens udtalelse i afsnit 1. Det er vores "
            "opfattelse,", "",
            f"a) at beskrivelsen af {s}, således som den var udformet og implementeret {p}, i "
            "alle væsentlige henseender er tilfredsstillende præsenteret, og", "",
            "b) at kontrollerne, som knytter sig til de kontrolmål, der er anført i "
            f"beskrivelsen,{unless if 'b' in affected else ''} i alle væsentlige henseender var "
            f"hensigtsmæssigt udformet {p}" + (", og" if f.report_type == 2 else ".")]
        if f.report_type == 2:
            lines += ["", "c) at de testede kontroller, som var de kontroller, der var "
                      "nødvendige for at give høj grad af sikkerhed for, at kontrolmålene i "
                      "beskrivelsen blev nået i alle væsentlige henseender,"
                      f"{unless if 'c' in affected else ''} har fungeret effektivt {p}."]
        return "\n".join(lines)
    unless = ("except for the effects of the matter described in the \"Basis for qualified "
              "opinion\" paragraph, ")
    lines = [
        "Our opinion has been formed on the basis of the matters outlined in this report. The "
        "criteria we used in forming our opinion are those described in management's statement "
        "in section 1. In our opinion, in all material respects:", "",
        f"a) the description of {s}, as designed and implemented {p}, is fairly presented, "
        "and", "",
        f"b) {unless if 'b' in affected else ''}the controls related to the control objectives "
        f"stated in the description were suitably designed {p}"
        + (", and" if f.report_type == 2 else ".")]
    if f.report_type == 2:
        lines += ["", f"c) {unless if 'c' in affected else ''}the controls tested, which were "
                  "those necessary to provide reasonable assurance that the control objectives "
                  f"stated in the description were achieved, operated effectively {p}."]
    return "\n".join(lines)
