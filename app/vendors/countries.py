"""Countries, the EU/EEA, adequacy decisions and SCC versions, read from countries.yaml. Pure.

The data lives beside this module with its sources and the date it was last checked, so a
change of law is a reviewed change of one file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import yaml

DATA = Path(__file__).with_name("countries.yaml")
AREAS = ("eu", "eea", "third")


@dataclass(frozen=True)
class Adequacy:
    """An adequacy decision for a country; `scope` set when it covers only some recipients."""

    decision: str
    adopted_on: date
    valid_until: date | None = None
    scope_en: str | None = None
    scope_da: str | None = None

    def in_force(self, on: date) -> bool:
        """Adopted on or before `on` and not expired."""
        return self.adopted_on <= on and (self.valid_until is None or on <= self.valid_until)

    def scope(self, lang: str) -> str | None:
        """The partial scope in `lang`."""
        return self.scope_da if str(lang).startswith("da") and self.scope_da else self.scope_en


@dataclass(frozen=True)
class Country:
    """One country: ISO 3166-1 alpha-2 code, names, and where it stands under Chapter V."""

    code: str
    area: str  # eu, eea or third
    name_en: str
    name_da: str
    adequacy: Adequacy | None = None

    @property
    def in_eea(self) -> bool:
        """In the EU or the EEA: no transfer basis is needed."""
        return self.area in ("eu", "eea")

    def name(self, lang: str | None = "en") -> str:
        """The name in `lang`."""
        return self.name_da if str(lang or "").startswith("da") else self.name_en


@dataclass(frozen=True)
class SccVersion:
    """A set of standard contractual clauses a transfer may name."""

    id: str
    label_en: str
    label_da: str
    valid_until: date | None = None

    def label(self, lang: str | None = "en") -> str:
        """The label in `lang`."""
        return self.label_da if str(lang or "").startswith("da") else self.label_en

    def valid_on(self, on: date) -> bool:
        """Still a valid transfer basis on `on`."""
        return self.valid_until is None or on <= self.valid_until


@dataclass(frozen=True)
class CountryData:
    """Everything countries.yaml holds."""

    checked_on: date
    sources: dict
    countries: dict[str, Country]
    scc_versions: dict[str, SccVersion]


def parse(document: dict) -> CountryData:
    """Build CountryData from the parsed YAML, refusing anything malformed (ValueError)."""
    adequacy = {}
    for item in document.get("adequacy", []):
        scope = item.get("scope") or {}
        adequacy[item["code"]] = Adequacy(item["decision"], item["adopted_on"],
                                          item.get("valid_until"), scope.get("en"),
                                          scope.get("da"))
    countries = {}
    for item in document["countries"]:
        code = str(item["code"])
        if len(code) != 2 or not code.isupper() or code in countries:
            raise ValueError(f"countries.yaml: bad or repeated code {code!r}")
        if item["area"] not in AREAS:
            raise ValueError(f"countries.yaml: {code} has unknown area {item['area']!r}")
        if code in adequacy and item["area"] != "third":
            raise ValueError(f"countries.yaml: {code} is in the EEA and has an adequacy decision")
        countries[code] = Country(code, item["area"], item["en"], item["da"], adequacy.get(code))
    unknown = set(adequacy) - set(countries)
    if unknown:
        raise ValueError(f"countries.yaml: adequacy decisions for unlisted {sorted(unknown)}")
    sccs = {item["id"]: SccVersion(item["id"], item["en"], item["da"], item.get("valid_until"))
            for item in document["scc_versions"]}
    return CountryData(document["checked_on"], dict(document["sources"]), countries, sccs)


@cache
def data() -> CountryData:
    """The repository's country data (read once)."""
    with DATA.open(encoding="utf-8") as handle:
        return parse(yaml.safe_load(handle))


def get(code: str | None) -> Country | None:
    """The country with ISO code `code`, or None."""
    return data().countries.get((code or "").upper())


def name(code: str | None, lang: str | None = "en") -> str:
    """A country's name in `lang`, or the code itself when unknown."""
    country = get(code)
    return country.name(lang) if country else (code or "")


def choices(lang: str | None = "en") -> list[tuple[str, str]]:
    """(code, name) for a select, sorted by name in `lang`; EU/EEA countries first."""
    items = sorted(data().countries.values(), key=lambda c: (not c.in_eea, c.name(lang)))
    return [(c.code, c.name(lang)) for c in items]


def third_countries(codes) -> list[str]:
    """Those of `codes` outside the EU/EEA (unknown codes count as third countries)."""
    result = []
    for code in codes:
        country = get(code)
        if (country is None or not country.in_eea) and code not in result:
            result.append(code)
    return result
