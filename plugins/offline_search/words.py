"""German words for the search index: compound splitting and lay-word (synonym) expansion.

Pagefind finds a word by its beginning ("Alkohol" finds "Alkoholsucht"), but not by a later
part: "Sucht" does not find "Alkoholsucht", and a reader typing "Alkoholsucht" does not find
a group about "Sucht" and "Alkohol" (Pagefind issue #738). And readers search in lay words
("Trinken", "Magersucht") where the site says "Alkohol" or "Essstörungen".

So for every indexed page, `Expander.extra_words()` returns words to add to its index
record (never to the published page):

* the parts of compound words in the page that split into known words
  ("Alkoholsucht" -> Alkohol, Sucht), and
* the lay words (Suchwörter) of every term (Begriff) of the synonym list that the page
  contains, also as a word part or inflected ("Essstörung" matches "Essstörungen").

Known words (the vocabulary): the topics of the groups, every Begriff and Suchwort of the
synonym list and OFFLINE_SEARCH_COMPOUND_PARTS. A word is split only if every part is known
("Alkohol|sucht"), or if it starts with a known word of at least MIN_HEAD letters and at
least MIN_TAIL letters follow ("Alkohol|iker"): then only that head counts. Words that end
in a known word but start with an unknown one are never split, so "untersucht", "besucht"
and "Sehnsucht" do not turn into "Sucht".

search.js does the same split on the reader's query, with the vocabulary from `for_browser()`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

#: Linking elements (Fugenelemente) and inflection endings a known word may carry inside a
#: compound or at its end: Depression|s|gruppe, Angehörige|n, Essstörung|en.
ENDINGS = ("s", "es", "n", "en", "e", "er")
MIN_PART = 4  #: shortest known word used for splitting
MIN_COMPOUND = 7  #: shorter words are never split
MIN_HEAD = 5  #: a head-only split needs a known head at least this long …
MIN_TAIL = 4  #: … followed by at least this many letters
MIN_STRIPPED = 5  #: "Drogen" -> "Droge", but not "Trauer" -> "Trau"

WORD = re.compile(r"[^\W\d_]+")


def normalise(text: str) -> str:
    """Lower case, NFC; ß stays ß (casefold() would make it "ss")."""
    return unicodedata.normalize("NFC", text).lower()


def tokens(text: str) -> list[str]:
    """The words of a text, normalised, in order. Hyphens and digits separate words."""
    return WORD.findall(normalise(text))


def words_as_written(text: str) -> list[str]:
    """The words of a text in their own spelling (NFC), in order."""
    return WORD.findall(unicodedata.normalize("NFC", text))


def forms(word: str) -> set[str]:
    """`word` (normalised) and the forms it takes inflected or inside a compound."""
    found = {word}
    for ending in ENDINGS:
        found.add(word + ending)
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STRIPPED:
            found.add(word[: -len(ending)])
    return found


@dataclass
class Vocabulary:
    """Known words: the normalised form of each, and the spelling to show."""

    display: dict[str, str] = field(default_factory=dict)  #: normalised -> as written
    _forms: dict[str, str] = field(default_factory=dict)  #: any form -> normalised word
    _splits: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, words: Iterable[str]) -> Vocabulary:
        """Known words from `words`; of a phrase ("Psychische Gesundheit") each word."""
        display: dict[str, str] = {}
        for text in words:
            for word in WORD.findall(unicodedata.normalize("NFC", text)):
                key = normalise(word)
                if len(key) >= MIN_PART:
                    display.setdefault(key, word[:1].upper() + word[1:])
        known: dict[str, str] = {key: key for key in display}
        # Shorter words first: a form shared by two words belongs to the shorter one, and a
        # form that is itself a known word stays that word.
        for key in sorted(display, key=lambda k: (len(k), k)):
            for form in forms(key):
                known.setdefault(form, key)
        return cls(display, known)

    def known(self, part: str) -> str | None:
        """The known word that `part` is a form of, or None."""
        return self._forms.get(part)

    def split(self, word: str) -> tuple[str, ...]:
        """The known words a (normalised) compound consists of; () if it does not split.

        "alkoholsucht" -> ("alkohol", "sucht"); "alkoholiker" -> ("alkohol",);
        "untersucht" -> (). The split with the fewest parts wins.
        """
        cached = self._splits.get(word)
        if cached is not None:
            return cached
        result = self._split(word)
        self._splits[word] = result
        return result

    def _split(self, word: str) -> tuple[str, ...]:
        size = len(word)
        if size < MIN_COMPOUND or not word.isalpha():
            return ()
        best: list[tuple[str, ...] | None] = [None] * (size + 1)
        best[0] = ()
        for start in range(size - MIN_PART + 1):
            before = best[start]
            if before is None:
                continue
            for end in range(start + MIN_PART, size + 1):
                if start == 0 and end == size:
                    continue  # the whole word is no split
                key = self._forms.get(word[start:end])
                if key is None:
                    continue
                candidate = before + (key,)
                current = best[end]
                if current is None or len(candidate) < len(current):
                    best[end] = candidate
        if best[size] is not None:
            return best[size]
        for end in range(size - MIN_TAIL, MIN_HEAD - 1, -1):  # the longest known head
            if best[end] is not None:
                return best[end]
        return ()

    def for_browser(self) -> dict:
        """What search.js needs to split a query like this class does."""
        return {
            "words": sorted(self.display),
            "endings": list(ENDINGS),
            "minPart": MIN_PART, "minCompound": MIN_COMPOUND, "minHead": MIN_HEAD,
            "minTail": MIN_TAIL, "minStripped": MIN_STRIPPED,
        }


@dataclass
class Expander:
    """Finds the extra words of one page: compound parts and lay words."""

    vocabulary: Vocabulary
    #: normalised one-word term -> its lay words
    lay_exact: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: inflected forms of those terms ("essstörung" of "essstörungen") -> lay words. Only
    #: capitalised words (nouns) match these, so the verb "suchte" is not a form of "Sucht".
    lay_forms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: normalised multi-word terms ("psychische gesundheit") -> lay words
    lay_phrases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    limit: int = 40
    _word_cache: dict[tuple[str, bool], tuple[tuple[str, ...], tuple[str, ...]]] = field(
        default_factory=dict)

    @classmethod
    def build(cls, synonyms: Sequence[tuple[str, str]], extra_vocabulary: Iterable[str],
              limit: int = 40) -> Expander:
        """`synonyms`: (Suchwort, Begriff) pairs; `extra_vocabulary`: topics, word parts."""
        by_term: dict[str, list[str]] = {}
        for word, term in synonyms:
            by_term.setdefault(" ".join(tokens(term)), []).append(word)
        vocabulary = Vocabulary.of([*extra_vocabulary, *(t for _, t in synonyms),
                                    *(w for w, _ in synonyms)])
        expander = cls(vocabulary, limit=limit)

        def add(table: dict[str, tuple[str, ...]], key: str, words: tuple[str, ...]) -> None:
            table[key] = tuple(dict.fromkeys(table.get(key, ()) + words))

        for term, words in by_term.items():
            unique = tuple(dict.fromkeys(words))
            if not term:
                continue
            if " " in term:
                add(expander.lay_phrases, term, unique)
                continue
            add(expander.lay_exact, term, unique)
            for form in forms(term) - {term}:
                add(expander.lay_forms, form, unique)
        return expander

    def _word(self, word: str, noun: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(compound parts, lay words) for one normalised word of a page."""
        cached = self._word_cache.get((word, noun))
        if cached is not None:
            return cached
        parts = self.vocabulary.split(word)
        lay: list[str] = list(self.lay_exact.get(word, ()))
        if noun:
            lay += self.lay_forms.get(word, ())
        for part in parts:
            lay += self.lay_exact.get(part, ())
        result = (parts, tuple(dict.fromkeys(lay)))
        self._word_cache[(word, noun)] = result
        return result

    def extra_words(self, text: str) -> list[str]:
        """Words to add to the index record of a page with this text (as shown, unique)."""
        written = words_as_written(text)
        # A page of 700 words has about 300 different ones: each is normalised once.
        normalised = {word: normalise(word) for word in dict.fromkeys(written)}
        present = set(normalised.values())
        extra: dict[str, None] = {}
        lay: dict[str, None] = {}
        for original, word in normalised.items():
            parts, lay_words = self._word(word, original[:1].isupper())
            for part in parts:
                if part not in present:
                    extra[self.vocabulary.display.get(part, part)] = None
            for lay_word in lay_words:
                lay[lay_word] = None
        if self.lay_phrases:
            joined = f" {' '.join(normalised[word] for word in written)} "
            for phrase, lay_words in self.lay_phrases.items():
                if f" {phrase} " in joined:
                    for lay_word in lay_words:
                        lay[lay_word] = None
        result = sorted(extra, key=normalise)
        result += sorted((w for w in lay if normalise(w) not in present and w not in extra),
                         key=normalise)
        return result[: self.limit]
