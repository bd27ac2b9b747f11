"""Read rendered pages as a user sees them: visible text, table cells, form inputs.

Built on the standard library's HTMLParser, so tests need no extra parser. Text inside
<script>, <style>, <template> and elements with the `hidden` attribute is not visible.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

INVISIBLE = {"script", "style", "template", "head", "title"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
BLOCK = {"p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "dt", "dd", "section",
         "header", "footer", "nav", "main", "form", "table", "ul", "ol", "label", "legend",
         "option", "button", "a", "span", "small", "strong", "summary", "fieldset", "details",
         "caption", "figcaption", "br", "em", "code", "time", "abbr", "b", "i"}


def _squash(text: str) -> str:
    return " ".join(text.split())


class _TextReader(HTMLParser):
    """Collects visible text in chunks, one per element boundary."""

    def __init__(self, skip: frozenset = frozenset()):
        super().__init__(convert_charrefs=True)
        self.skip = skip
        self.stack: list[tuple[str, bool]] = []
        self.chunks: list[str] = []
        self.attribute_texts: list[str] = []

    def hidden(self) -> bool:
        return any(invisible for _tag, invisible in self.stack)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        invisible = tag in INVISIBLE or tag in self.skip or "hidden" in attributes or (
            f"lang={attributes.get('lang')}" in self.skip) or (
            attributes.get("aria-hidden") == "true")
        if not self.hidden() and not invisible:
            for name in ("title", "aria-label", "placeholder", "alt"):
                if attributes.get(name):
                    self.attribute_texts.append(attributes[name])
            if tag == "input" and attributes.get("type") in ("submit", "button") and (
                    attributes.get("value")):
                self.attribute_texts.append(attributes["value"])
        if tag in BLOCK:
            self.chunks.append("\n")
        if tag not in VOID:
            self.stack.append((tag, invisible))

    def handle_endtag(self, tag):
        if tag in BLOCK:
            self.chunks.append("\n")
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        if not self.hidden():
            self.chunks.append(data)


def visible_texts(html: str, skip: frozenset = frozenset()) -> list[str]:
    """The page's visible text pieces (one per element), squashed.

    With the texts of title/aria-label/placeholder/alt attributes and submit buttons a user
    reads too; elements named in `skip` ("code", or "lang=en" for text marked as English,
    such as the language switch) are left out.
    """
    reader = _TextReader(skip)
    reader.feed(html)
    pieces = [_squash(chunk) for chunk in "".join(reader.chunks).split("\n")]
    return [piece for piece in pieces if piece] + [_squash(t) for t in reader.attribute_texts]


def visible_text(html: str) -> str:
    """The page's visible text as one squashed string."""
    return " ".join(visible_texts(html))


class _TableReader(HTMLParser):
    def __init__(self, selector: str | None):
        super().__init__(convert_charrefs=True)
        self.selector = selector
        self.depth = 0  # >0 while inside the chosen table
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None
        self.invisible = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table":
            if self.depth:
                self.depth += 1
            elif self.selector is None or self.selector in (attributes.get("class") or "").split() \
                    or attributes.get("data-testid") == self.selector:
                self.depth = 1
            return
        if not self.depth:
            return
        if tag in INVISIBLE:
            self.invisible += 1
        elif tag == "tr" and self.depth == 1:
            self.rows.append([])
        elif tag in ("td", "th") and self.depth == 1:
            self.cell = []
        elif tag == "br" and self.cell is not None:
            self.cell.append(" ")

    def handle_endtag(self, tag):
        if not self.depth:
            return
        if tag == "table":
            self.depth -= 1
        elif tag in INVISIBLE:
            self.invisible -= 1
        elif tag in ("td", "th") and self.depth == 1 and self.cell is not None:
            self.rows[-1].append(_squash("".join(self.cell)))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None and not self.invisible:
            self.cell.append(" " + data + " " if data.strip() else data)


def table_rows(html: str, selector: str | None = None) -> list[list[str]]:
    """The cells' visible text, row by row, of the first table with class or data-testid
    `selector` (or the first table); header rows included."""
    reader = _TableReader(selector)
    reader.feed(html)
    return [row for row in reader.rows if row]


@dataclass
class FormControl:
    """One input, select or textarea as the browser would submit it."""

    name: str
    kind: str
    value: str | None = None
    options: list[str] = field(default_factory=list)  # radio/checkbox/select: every value
    selected: list[str] = field(default_factory=list)  # the checked/selected values


class _FormReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, FormControl]] = []
        self.in_form = False
        self.select: FormControl | None = None
        self.option: dict | None = None
        self.option_text: list[str] = []
        self.textarea: FormControl | None = None
        self.text: list[str] = []

    def _controls(self) -> dict[str, FormControl]:
        if not self.in_form:
            self.forms.append({})
            self.in_form = True
        return self.forms[-1]

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append({})
            self.in_form = True
            return
        name = attributes.get("name")
        if tag == "input" and name:
            kind = attributes.get("type", "text")
            controls = self._controls()
            if kind in ("radio", "checkbox"):
                control = controls.setdefault(name, FormControl(name, kind))
                control.options.append(attributes.get("value", "on"))
                if "checked" in attributes:
                    control.selected.append(attributes.get("value", "on"))
            else:
                controls[name] = FormControl(name, kind, attributes.get("value", ""))
        elif tag == "select" and name:
            self.select = FormControl(name, "select-multiple" if "multiple" in attributes
                                      else "select")
            self._controls()[name] = self.select
        elif tag == "option" and self.select is not None:
            self.option = attributes
            self.option_text = []
        elif tag == "textarea" and name:
            self.textarea = FormControl(name, "textarea")
            self._controls()[name] = self.textarea
            self.text = []

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "select":
            self.select = None
        elif tag == "option" and self.select is not None and self.option is not None:
            value = self.option.get("value", "".join(self.option_text).strip())
            self.select.options.append(value)
            if "selected" in self.option:
                self.select.selected.append(value)
            self.option = None
        elif tag == "textarea" and self.textarea is not None:
            text = "".join(self.text)
            self.textarea.value = text[1:] if text.startswith("\n") else text
            self.textarea = None

    def handle_data(self, data):
        if self.option is not None:
            self.option_text.append(data)
        if self.textarea is not None:
            self.text.append(data)


def forms(html: str) -> list[dict[str, FormControl]]:
    """Every form on the page: its named controls as the browser shows them."""
    reader = _FormReader()
    reader.feed(html)
    return reader.forms


def shown_value(control: FormControl) -> str | list[str] | None:
    """What a user sees in the control: the text, the chosen option(s) (a select with nothing
    marked shows its first option), or the ticked boxes."""
    if control.kind == "select":
        return control.selected[0] if control.selected else (
            control.options[0] if control.options else None)
    if control.kind == "radio":
        return control.selected[0] if control.selected else None
    if control.kind in ("checkbox", "select-multiple"):
        return control.selected
    return control.value
