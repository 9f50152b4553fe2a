"""Read the editors' synonym list: lay words readers type, and the terms the site uses.

    Suchwort;Begriff
    Trinken;Alkohol
    Magersucht, Bulimie;Essstörungen

A page whose text contains a Begriff also becomes findable by its Suchwörter ("Trinken"
finds the groups about Alkohol). Read like gruppen.csv: `;`, `,` or tab (sniffed from the
header), UTF-8 with or without BOM or Windows-1252, any line endings, quoted cells, spaces
around values, any spelling of the header's case. Several words in one cell: separated by
commas. Every problem is reported with its line, never only the first.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

SUCHWORT = "Suchwort"
BEGRIFF = "Begriff"
HEADER_ALIASES = {
    "suchwort": SUCHWORT, "suchwörter": SUCHWORT, "suchwoerter": SUCHWORT,
    "laienwort": SUCHWORT, "alltagswort": SUCHWORT,
    "begriff": BEGRIFF, "begriffe": BEGRIFF, "fachbegriff": BEGRIFF, "thema": BEGRIFF,
}
MAX_LENGTH = 60


@dataclass(frozen=True)
class Synonym:
    word: str  #: what readers type ("Trinken")
    term: str  #: what the site's text says ("Alkohol")
    line: int


@dataclass(frozen=True)
class SynonymList:
    synonyms: tuple[Synonym, ...]
    problems: tuple[str, ...]  #: "file:line: message", in German


def header_key(name: str) -> str:
    name = unicodedata.normalize("NFC", name).casefold()
    return "".join(ch for ch in name if ch.isalnum())


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) if the bytes are valid UTF-8, else Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def sniff_delimiter(text: str) -> str:
    """`;`, `,` or tab: whichever the header line holds most of (`;` if none)."""
    header = text.lstrip("\r\n").split("\n", 1)[0]
    counts = {delimiter: header.count(delimiter) for delimiter in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ";"


def cell_words(cell: str) -> list[str]:
    """The comma-separated entries of one cell, tidied: 'Trinken ,  Saufen' -> both."""
    words = []
    for part in cell.split(","):
        word = " ".join(unicodedata.normalize("NFC", part).split())
        if word:
            words.append(word)
    return words


def parse(text: str, source: str) -> SynonymList:
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    problems: list[str] = []
    synonyms: list[Synonym] = []
    columns: dict[str, int] | None = None
    line = reader.line_num + 1
    for row in reader:
        if not any(cell.strip() for cell in row):
            line = reader.line_num + 1
            continue
        if columns is None:
            columns = {}
            for index, cell in enumerate(row):
                column = HEADER_ALIASES.get(header_key(cell))
                if column and column not in columns:
                    columns[column] = index
            missing = [c for c in (SUCHWORT, BEGRIFF) if c not in columns]
            if missing:
                found = ", ".join(f"„{cell.strip()}“" for cell in row if cell.strip())
                problems.append(
                    f"{source}:{line}: Die erste Zeile muss die Spaltenüberschriften "
                    f"„{SUCHWORT}“ und „{BEGRIFF}“ enthalten (gefunden: {found}). "
                    "Beispiel: Suchwort;Begriff")
                return SynonymList((), tuple(problems))
            line = reader.line_num + 1
            continue
        cells = {name: (row[index] if index < len(row) else "") for name, index in
                 columns.items()}
        words, terms = cell_words(cells[SUCHWORT]), cell_words(cells[BEGRIFF])
        row_problems = []
        if not words or not terms:
            empty = SUCHWORT if not words else BEGRIFF
            row_problems.append(f"Spalte „{empty}“ ist leer. Jede Zeile braucht ein Suchwort "
                                "und einen Begriff, z. B. „Trinken;Alkohol“.")
        for value in words + terms:
            if len(value) > MAX_LENGTH:
                row_problems.append(f"„{value[:MAX_LENGTH]}…“ ist zu lang (höchstens "
                                    f"{MAX_LENGTH} Zeichen).")
            elif not any(ch.isalpha() for ch in value):
                row_problems.append(f"„{value}“ enthält kein Wort.")
        problems += [f"{source}:{line}: {message}" for message in row_problems]
        if not row_problems:
            synonyms += [Synonym(word, term, line) for word in words for term in terms
                         if word.casefold() != term.casefold()]
        line = reader.line_num + 1
    return SynonymList(tuple(synonyms), tuple(problems))


def read(path: Path, source: str) -> SynonymList:
    """The list at `path`; a missing file is an empty list. `source`: the path for messages."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return SynonymList((), ())
    return parse(decode(data), source)
