"""The demo's two ISAE 3000 reports read as an auditor would: last year's in review with one
deviation judged not material, the year before's issued with a qualified opinion; each in one
language only."""

from __future__ import annotations

import io
import re
from datetime import date

from pypdf import PdfReader
from sqlalchemy import select

from app.audits.models import Engagement
from app.auth.actors import CLI
from app.demo import seed_demo
from app.evidence.storage import EvidenceStore
from app.reports import service as reports
from app.reports import signing
from app.reports.pdf import build_isae_report
from app.reports.pdf_layout import format_date

ENGLISH = {"the", "and", "of", "is", "was", "were", "with", "that", "this", "by", "are", "be",
           "not", "from", "which", "have", "has", "or", "its", "their"}
DANISH = {"og", "det", "er", "af", "til", "ikke", "der", "som", "på", "med", "har", "ved",
          "fra", "om", "eller", "kan", "skal", "blev", "var", "vi", "vores", "hvis", "sig"}


def text_of(data: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(re.sub(r"(\w)-\n(\w)", r"\1\2", text).split())


def foreign_sentences(text: str, lang: str) -> list[str]:
    """Sentences with two or more function words of the other language."""
    other = ENGLISH if lang == "da" else DANISH
    found = []
    for sentence in re.split(r"(?<=[.!?:;])\s+", text):
        words = re.findall(r"[a-zæøå']+", sentence.lower())
        if sum(word in other for word in words) >= 2:
            found.append(sentence)
    return found


def test_the_language_check_finds_a_sentence_of_the_other_language():
    assert foreign_sentences("Ingen væsentlige afvigelser konstateret. The controls were tested "
                             "and found effective.", "da") == [
        "The controls were tested and found effective."]
    assert foreign_sentences("No deviations. Kontrollen er ikke udført.", "en") == [
        "Kontrollen er ikke udført."]


def test_demo_reports_are_each_in_one_language_and_say_what_was_found(app, db_session,
                                                                    loaded_catalogue):
    seed_demo(db_session, "demo-password-123")
    store = EvidenceStore(app.config["KONTROL_EVIDENCE_DIR"])
    older, newer = db_session.scalars(select(Engagement).where(
        Engagement.firm_id.is_not(None)).order_by(Engagement.period_end)).all()
    assert (older.status, newer.status) == ("issued", "review")
    texts = {}
    for lang in ("da", "en"):
        data, _row = signing.issued_pdf(db_session, older, lang, store)
        texts[("issued", lang)] = text_of(data)
        texts[("review", lang)] = text_of(build_isae_report(reports.isae_report(
            db_session, CLI, newer, lang, "Kontrol", date.today())))
    for (state, lang), text in texts.items():
        assert foreign_sentences(text, lang) == [], (state, lang)
        assert "[mangler dansk tekst]" not in text and "[English text missing]" not in text
    issued_da, issued_en = texts[("issued", "da")], texts[("issued", "en")]
    assert "Grundlag for konklusion med forbehold" in issued_da
    assert "Kontrolmål B (Tekniske sikkerhedsforanstaltninger)" in issued_da
    assert "Ledelsens kommentar: Siden august" in issued_da
    assert "Basis for qualified opinion" in issued_en and "Qualified opinion" in issued_en
    assert f"Issued on {format_date(date.today(), 'en')}" in issued_en
    review_da = texts[("review", "da")]
    assert "med forbehold" not in review_da
    assert review_da.count("Ingen yderligere væsentlige afvigelser konstateret.") == 1
    assert "Medarbejderens brugeradgang var lukket på sidste arbejdsdag" in review_da
    assert "Stikprøve: 25 af 31" in review_da and "Hele populationen (4)" in review_da
    assert "Ingen forekomster i perioden" in review_da
    assert "Inspiceret den ene forekomst i perioden" in review_da
