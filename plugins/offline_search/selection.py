"""Which pages go into the search index, and the text and labels of each.

Indexed: published posts, published pages and the pages of listed groups (aktiv, in
Gründung, pausiert). Never: drafts, hidden posts and pages, groups marked `Veröffentlichen:
nein` (the group directory does not even make a page for them) and ended groups
(`beendet`: their page stays for old links, but search must not offer a group that no
longer meets). Lists, archives, tag and category pages are not indexed either: their text is
the titles of pages that are indexed themselves.

Each document carries its filters and metadata for the search page: the kind for every
page ("art": Beitrag, Seite, Gruppe), the date of posts, and for groups the facets of the
directory (Thema, Ort, Form, Status), taken from the group directory's data, not parsed
from the page. Plain values only; plugin.py turns Pelican's objects into them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass

POST = "Beitrag"
PAGE = "Seite"
GROUP = "Gruppe"

TAG = re.compile(r"<[^>]*>")
MONTHS = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
          "September", "Oktober", "November", "Dezember")


@dataclass(frozen=True)
class Document:
    save_as: str  #: the HTML file, relative to the output folder
    url: str  #: the page's URL relative to the site root ("beitraege/x/")
    kind: str  #: POST, PAGE or GROUP: shown in results and offered as a filter ("art")
    text: str  #: plain text, only for finding compound words and terms of the synonym list
    #: (name, values) for Pagefind's filters, besides "art": thema, ort, form, status
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: (name, value) shown with a result: datum (posts); themen, ort, form, status (groups)
    meta: tuple[tuple[str, str], ...] = ()
    #: groups: the searchable facts of the page's fact list, in few words (see group_document)
    facts: tuple[str, ...] = ()

    @property
    def all_filters(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        return (("art", (self.kind,)), *self.filters)

    @property
    def all_meta(self) -> tuple[tuple[str, str], ...]:
        return (("art", self.kind), *self.meta)


def plain_text(fragment: str) -> str:
    return html.unescape(TAG.sub(" ", fragment or ""))


def german_date(value) -> str:
    return f"{value.day}. {MONTHS[value.month - 1]} {value.year}" if value else ""


def is_published(content) -> bool:
    return getattr(content, "status", "published") == "published" and bool(
        getattr(content, "save_as", ""))


def post_document(article) -> Document:
    tags = " ".join(str(tag) for tag in getattr(article, "tags", None) or ())
    text = " ".join((article.title, tags, plain_text(getattr(article, "summary", "") or ""),
                     plain_text(article._content)))
    date = german_date(getattr(article, "date", None))
    return Document(article.save_as, article.url, POST, text,
                    meta=(("datum", date),) if date else ())


def page_document(page) -> Document:
    return Document(page.save_as, page.url, PAGE,
                    " ".join((page.title, plain_text(page._content))))


def group_document(group) -> Document:
    """A group page. Its fact list (`.group-facts`, excluded from the index by default) is
    mostly the same sentences on every page ("Neue sind willkommen.", "Nicht bekannt – bitte
    fragen Sie bei der Kontaktstelle nach."): indexed, a search for "Kontaktstelle" would
    list every group, and at 10,000 groups it doubles Pagefind's memory and the index. The
    facts readers search for are indexed instead, in few words: topics, place and district,
    form, meeting place, audience and languages other than German."""
    topics = tuple(topic.name for topic in group.topics)
    place = group.place.name + (f", {group.district.name}" if group.district else "")
    languages = tuple(getattr(group, "languages", ()) or ())
    facts = (", ".join(topics), place, str(group.form), group.venue,
             str(group.audience) if getattr(group, "audience", None) else "",
             ", ".join(languages) if languages and languages != ("Deutsch",) else "")
    parts = [group.name, *topics, place, group.venue, group.schedule_hint,
             group.description_text]
    return Document(
        group.save_as, group.url, GROUP, " ".join(p for p in parts if p),
        facts=tuple(fact for fact in facts if fact),
        filters=(("thema", topics), ("ort", (group.place.name,)), ("form", (str(group.form),)),
                 ("status", (str(group.status),))),
        meta=(("themen", ", ".join(topics)), ("ort", place), ("form", str(group.form)),
              ("status", str(group.status))))


def select(articles: Iterable, pages: Iterable, groups: Iterable) -> list[Document]:
    """The documents to index, posts first, then pages, then groups (each in given order).

    `articles`/`pages`: Pelican's published lists (drafts and hidden ones are in other lists,
    and are skipped here too should they get in); `groups`: every group with a page.
    """
    documents = [post_document(a) for a in articles if is_published(a)]
    documents += [page_document(p) for p in pages if is_published(p)]
    documents += [group_document(g) for g in groups
                  if getattr(g, "is_listed", False) and g.save_as]
    seen: set[str] = set()
    unique = []
    for document in documents:
        if document.save_as not in seen:
            seen.add(document.save_as)
            unique.append(document)
    return unique
