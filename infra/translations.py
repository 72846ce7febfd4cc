"""Keep the committed catalogues (fa, pl, zh_Hans) complete.

``python -m infra.dev exec -- .venv/bin/python -m infra.translations extract``
    run makemessages for the three languages (new strings arrive untranslated)
``python -m infra.translations missing``
    print the untranslated messages as JSON ({msgid: {"fa": "", "pl": "", "zh_Hans": ""}})
``python -m infra.translations fill FILE.json``
    write translations from such a JSON file into the catalogues
``python -m infra.translations union OTHER.po...``
    copy translations found in other versions of a catalogue (e.g. both sides of a merge)
    into the current one, for messages that are still untranslated here

Plural messages take a list of forms in the JSON file.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("fa", "pl", "zh_Hans")
IGNORED = (".venv", ".data", "tests", "bench", "infra", "node_modules", "test-artifacts")


def _path(language: str) -> Path:
    return ROOT / "locale" / language / "LC_MESSAGES" / "django.po"


def _read(path: Path, language: str) -> Catalog:
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=Locale.parse(language))
    catalog.locale = Locale.parse(language)
    return catalog


def _write(catalog: Catalog, path: Path) -> None:
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100)


def _translated(string: object) -> bool:
    if isinstance(string, str):
        return bool(string)
    return isinstance(string, list | tuple) and bool(string) and all(string)


def extract() -> None:
    command = [sys.executable, "manage.py", "makemessages", "--no-obsolete"]
    for language in LANGUAGES:
        command += ["-l", language]
    for ignored in IGNORED:
        command.append(f"--ignore={ignored}")
    subprocess.run(command, cwd=ROOT, check=True)


def missing() -> dict[str, dict[str, object]]:
    result: dict[str, dict[str, object]] = {}
    for language in LANGUAGES:
        for message in _read(_path(language), language):
            if message.id and (message.fuzzy or not _translated(message.string)):
                key = message.id if isinstance(message.id, str) else message.id[0]
                result.setdefault(key, {})[language] = (
                    "" if isinstance(message.id, str) else ["" for _ in message.string or ()]
                )
    return result


def fill(translations: dict[str, dict[str, object]]) -> int:
    written = 0
    for language in LANGUAGES:
        catalog = _read(_path(language), language)
        for message in catalog:
            key = message.id if isinstance(message.id, str) else (message.id or ("",))[0]
            value = translations.get(key, {}).get(language)
            if value:
                message.string = value if isinstance(value, str) else tuple(value)  # type: ignore[arg-type]
                message.flags.discard("fuzzy")
                written += 1
        _write(catalog, _path(language))
    return written


def union(others: list[Path]) -> int:
    written = 0
    for language in LANGUAGES:
        catalog = _read(_path(language), language)
        known: dict[object, object] = {}
        for other in others:
            if f"/{language}/" not in str(other) and f"{language}." not in other.name:
                continue
            for message in _read(other, language):
                if message.id and not message.fuzzy and _translated(message.string):
                    known[message.id] = message.string
        for message in catalog:
            untranslated = message.fuzzy or not _translated(message.string)
            if message.id and untranslated and message.id in known:
                message.string = known[message.id]  # type: ignore[assignment]
                message.flags.discard("fuzzy")
                written += 1
        _write(catalog, _path(language))
    return written


def main(argv: list[str]) -> int:
    if argv[:1] == ["extract"]:
        extract()
    elif argv[:1] == ["missing"]:
        print(json.dumps(missing(), ensure_ascii=False, indent=1))
    elif argv[:1] == ["fill"] and len(argv) == 2:
        print(f"{fill(json.loads(Path(argv[1]).read_text(encoding='utf-8')))} strings written")
    elif argv[:1] == ["union"]:
        print(f"{union([Path(name) for name in argv[1:]])} strings copied")
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
