"""Every page a role can reach, rendered in Danish, is Danish.

Each demo person signs in, switches to Danish and walks every page reachable from the
navigation and the pages those link to (each kind of detail page of the demo data, a few of
each), and `danish.english_in` looks for English interface text in what is shown. Text the
organisation typed is data and stays as typed. Dates on a page come in one format.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from html.parser import HTMLParser

import pytest
from sqlalchemy import JSON, String, Text, select
from werkzeug.exceptions import HTTPException

from app.extensions import db
from app.vendors import countries
from tests.html import visible_texts
from tests.ui import danish

ROLES = ("coordinator", "control_owner", "internal_auditor", "external_auditor", "viewer",
         "admin")
PER_ENDPOINT = 2  # detail pages of each kind, per role
# Known and owned elsewhere, each with its reason; remove a line when its work lands.
PENDING: set[tuple[str, re.Pattern]] = set()
SKIP_ENDPOINTS = {"auth.logout", "auth.set_language", "static", "health"}
CODE_LIKE = re.compile(r"[a-z0-9_.:-]+")


def stored_texts(session) -> set[str]:
    """Every text the database holds that a person typed (not codes), JSON included."""
    texts: set[str] = set()
    for mapper in db.Model.registry.mappers:
        columns = [c for c in mapper.columns if isinstance(c.type, String | Text | JSON)]
        if not columns:
            continue
        for row in session.execute(select(*columns)):
            for value in row:
                for text in _leaves(value):
                    # a plain column holding a code ("open") is a status; inside JSON (a
                    # population's column names) it is what someone typed
                    if len(text) >= 4 and not (isinstance(value, str) and value[:1] not in "{["
                                               and CODE_LIKE.fullmatch(text)):
                        texts.add(" ".join(text.split()))
                        texts.update(" ".join(line.split()) for line in text.splitlines()
                                     if len(line.strip()) >= 4)
    # Place names that are the same in Danish and English ("Isle of Man") are names too.
    texts.update(country.name_da for country in countries.data().countries.values())
    return texts


def _leaves(value):
    """The texts in a stored value: itself, or the strings inside stored JSON."""
    if isinstance(value, str) and value[:1] in "{[":
        try:
            value = json.loads(value)
        except ValueError:
            return [value]
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for item in value.values() for t in _leaves(item)]
    if isinstance(value, list):
        return [t for item in value for t in _leaves(item)]
    return []


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href and href.startswith("/") and not href.startswith("//"):
            self.links.append(href.split("#")[0])


def links(html: str) -> list[str]:
    """Same-site links of a page."""
    reader = _Links()
    reader.feed(html)
    return reader.links


def crawl(client, app, start: list[str]) -> dict[str, str]:
    """HTML pages reachable from `start` (two links deep), a few per endpoint: {url: html}."""
    adapter = app.url_map.bind("localhost")
    seen_per_endpoint: dict[str, int] = defaultdict(int)
    pages, queue, queued = {}, [(url, 0) for url in start], set(start)
    while queue:
        url, depth = queue.pop(0)
        try:
            endpoint, _args = adapter.match(url.split("?")[0], method="GET")
        except HTTPException:
            continue
        if endpoint in SKIP_ENDPOINTS or endpoint.startswith("api."):
            continue
        key = endpoint + ("?" if "?" in url else "")
        if seen_per_endpoint[key] >= PER_ENDPOINT:
            continue
        response = client.get(url)
        assert response.status_code < 500, f"{url} answered {response.status_code}"
        if response.status_code != 200 or response.mimetype != "text/html":
            response.close()  # a file download: streamed, so close it
            continue
        seen_per_endpoint[key] += 1
        html = response.get_data(as_text=True)
        pages[url] = html
        if depth < 2:
            for link in links(html):
                if link not in queued:
                    queued.add(link)
                    queue.append((link, depth + 1))
    return pages


@pytest.mark.markup
def test_every_page_of_every_role_is_danish(client, app, db_session, demo, sign_in):
    data = stored_texts(db_session)
    findings: dict[str, set[str]] = defaultdict(set)
    mixed_dates: dict[str, set[str]] = {}
    walked = {}
    for role in ROLES:
        sign_in(demo[role])
        client.post("/language", data={"language": "da", "next": "/"})
        home = client.get("/")
        assert home.status_code == 200 and 'lang="da"' in home.get_data(as_text=True)
        pages = crawl(client, app, ["/", *links(home.get_data(as_text=True))])
        walked[role] = len(pages)
        for url, html in pages.items():
            # Text marked as English (the language switch, a report's English version) and
            # what stands in text boxes (the user's to write) are not the interface.
            pieces = visible_texts(html, skip=frozenset({"code", "lang=en", "textarea"}))
            pending = [p for page, p in PENDING if page == url]
            for finding in danish.english_in(
                    [p for p in pieces if not any(x.fullmatch(p) for x in pending)], data):
                findings[finding].add(f"{role} {url}")
            # A report's Danish text, marked lang="da", words its dates as a report does.
            interface = visible_texts(html, skip=frozenset({"code", "lang=en", "lang=da",
                                                            "textarea"}))
            formats = danish.date_formats(" ".join(
                danish.strip_data(piece, data) for piece in interface))
            if len(formats) > 1:
                mixed_dates[f"{role} {url}"] = formats
    assert all(count >= 5 for count in walked.values()), walked
    report = [f"{finding}  <- {sorted(where)[:3]}" for finding, where in sorted(findings.items())]
    report += [f"dates in several formats {sorted(formats)} on {where}"
               for where, formats in sorted(mixed_dates.items())]
    assert not report, f"{len(report)} English texts in the Danish UI:\n" + "\n".join(report)


def test_the_checker_catches_english_and_spares_data():
    data = {"Required by the risk assessment and by agreements with data controllers."}
    assert danish.english_in(["Side 1 af 4", "Næste ›"], data) == []
    assert danish.english_in(["Required by the risk assessment and by agreements with data "
                              "controllers."], data) == []
    assert danish.english_in(["Page 1 of 4"], data)
    assert danish.english_in(["semi-monthly"], data)
    assert danish.english_in(["1,2 kB", "8,4 %"], data) == []
    assert danish.english_in(["8.4 %"], data)
    assert danish.english_in(["340 Bytes"], data)  # Jinja's filesizeformat; "bytes" is Danish too
    assert danish.date_formats("2026-01-15 og 15. jan. 2026") == {"iso", "danish-words"}
