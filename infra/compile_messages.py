"""Compile one .po file to .mo with Babel, so building needs no GNU gettext."""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po


def compile_catalog(po_path: Path, mo_path: Path) -> None:
    with po_path.open("rb") as source:
        catalog = read_po(source)
    with mo_path.open("wb") as target:
        write_mo(target, catalog, use_fuzzy=False)


if __name__ == "__main__":
    compile_catalog(Path(sys.argv[1]), Path(sys.argv[2]))
