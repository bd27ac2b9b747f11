"""Write the Danish translations in tools/da/*.json into app/translations/da/.../messages.po.

Usage: python tools/fill_translations.py [tools/da] — every JSON file in the folder maps
English msgids to Danish (a list of two strings for plural forms); one file per domain.
The JSON files are the source of truth: a msgid they hold gets their text, replacing what the
.po had, so messages.po can always be regenerated (`make messages`) rather than merged by hand.
Untranslated ids are listed so nothing goes unnoticed.
"""

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "app/translations/da/LC_MESSAGES/messages.po"


def main(folder: str) -> int:
    """Apply the dictionaries; print what is still untranslated; exit 1 if anything is."""
    table = {}
    for path in sorted(Path(folder).glob("*.json")):
        table.update(json.loads(path.read_text(encoding="utf-8")))
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="da")
    missing = []
    for message in catalog:
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if key in table:
            value = table[key]
            message.string = tuple(value) if isinstance(message.id, tuple) else value
            message.flags.discard("fuzzy")
        elif not message.string or (isinstance(message.string, tuple)
                                    and not all(message.string)):
            missing.append(key)
    with PO.open("wb") as handle:
        write_po(handle, catalog, width=100)
    for key in missing:
        print("untranslated:", key)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).parent / "da")))
