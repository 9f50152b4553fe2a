"""Assemble the directory from the groups: URLs, the index pages (facets) and A–Z letters.

Pure and linear in the number of groups: every index is built in one pass, and "active groups
on the same topics" for ended groups reads the topic index instead of scanning all groups.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from .model import Audience, Form, Group, Status, Term
from .slugs import initial, sort_key


@dataclass(frozen=True)
class Urls:
    """The URL patterns of every page kind (from the settings, see defaults.py)."""

    settings: Mapping[str, Any]  #: plugin_settings(): every key of defaults.py

    def pattern(self, kind: str, suffix: str = "URL") -> str:
        """GROUP_DIRECTORY_<kind>_<suffix> as set, `{slug}` not filled in."""
        return str(self.settings[f"GROUP_DIRECTORY_{kind}_{suffix}"])

    def url(self, kind: str, slug: str = "") -> str:
        return self.pattern(kind, "URL").format(slug=slug)

    def save_as(self, kind: str, slug: str = "") -> str:
        return self.pattern(kind, "SAVE_AS").format(slug=slug)


#: Page kinds besides GROUP, with how editors know them (for "Kennung is reserved" messages).
OTHER_PAGES = {
    "GROUPS": "die Startseite des Verzeichnisses",
    "GROUPS_AZ": "die Liste aller Gruppen von A bis Z",
    "TOPIC": "die Seiten nach Thema",
    "PLACE": "die Seiten nach Ort",
    "FORM": "die Seiten nach Form",
    "AUDIENCE": "die Seiten nach Zielgruppe",
    "NEW_GROUPS": "die Seite „Neue Gruppen“",
    "NEW_GROUPS_FEED": "den Feed „Neue Gruppen“",
    "GROUPS_JSON": "die JSON-Datei für Partnerseiten",
}


def reserved_slugs(urls: Urls) -> dict[str, str]:
    """Kennungen whose group URL would land on (or inside) another directory page.

    With the defaults: a-z, neue-gruppen, thema, ort, form, zielgruppe (and the file names).
    """
    prefix, _, _ = urls.pattern("GROUP").partition("{slug}")
    reserved = {}
    for kind, label in OTHER_PAGES.items():
        url = urls.pattern(kind).replace("{slug}", "\0")
        if url.startswith(prefix) and len(url) > len(prefix):
            segment = url[len(prefix):].split("/", 1)[0]
            if segment and "\0" not in segment:
                reserved.setdefault(segment, label)
    return reserved


@dataclass(frozen=True)
class Facet:
    """One index page: a topic, place, form or audience with its listed groups."""

    kind: str  #: TOPIC, PLACE, FORM, AUDIENCE
    term: Term
    groups: tuple[Group, ...]
    save_as: str = ""
    #: PLACE only: groups by district; the last section has an empty name for the rest.
    sections: tuple[tuple[Term | None, tuple[Group, ...]], ...] = ()

    @property
    def count(self) -> int:
        return len(self.groups)


@dataclass(frozen=True)
class Directory:
    pages: tuple[Group, ...]  #: every group with a page: listed and ended, A–Z
    listed: tuple[Group, ...]  #: shown in indexes: all but ended, A–Z
    topics: tuple[Facet, ...]
    places: tuple[Facet, ...]
    forms: tuple[Facet, ...]
    audiences: tuple[Facet, ...]
    new_groups: tuple[Group, ...]
    letters: tuple[tuple[str, tuple[Group, ...]], ...]
    by_slug: Mapping[str, Group] = field(default_factory=dict)
    _topic_index: Mapping[str, Facet] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        statuses = defaultdict(int)
        for group in self.pages:
            statuses[group.status] += 1
        return {"listed": len(self.listed), "active": statuses[Status.ACTIVE],
                "founding": statuses[Status.FOUNDING], "paused": statuses[Status.PAUSED],
                "ended": statuses[Status.ENDED]}

    def topic_facet(self, term: Term) -> Facet | None:
        return self._topic_index.get(term.slug)

    def related_active(self, group: Group, limit: int = 5) -> list[Group]:
        """Groups that meet (aktiv or in Gründung) on the same topics, topic by topic."""
        found: dict[str, Group] = {}
        for topic in group.topics:
            facet = self._topic_index.get(topic.slug)
            for other in facet.groups if facet else ():
                if len(found) >= limit:
                    return list(found.values())
                if other.slug != group.slug and other.meets:
                    found.setdefault(other.slug, other)
        return list(found.values())


AUDIENCE_PAGES = (
    (Term("Betroffene", "betroffene"), {Audience.AFFECTED, Audience.BOTH}),
    (Term("Angehörige", "angehoerige"), {Audience.RELATIVES, Audience.BOTH}),
)


def _by_name(groups: Iterable[Group]) -> tuple[Group, ...]:
    return tuple(sorted(groups, key=lambda g: sort_key(g.name)))


def _canonical_terms(groups: Sequence[Group], attribute: str) -> dict[str, Term]:
    """One spelling per URL key: the first one in the table."""
    terms: dict[str, Term] = {}
    for group in groups:
        value = getattr(group, attribute)
        for term in value if isinstance(value, tuple) else (value,):
            if term is not None:
                terms.setdefault(term.slug, term)
    return terms


def build_directory(groups: Sequence[Group], urls: Urls, *, with_calendar: bool = True
                    ) -> Directory:
    """Give every group and term its URL and build all indexes. `groups`: publishable only."""
    listed_input = [g for g in groups if g.is_listed]
    topic_terms = {
        slug: replace(term, url=urls.url("TOPIC", slug))
        for slug, term in _canonical_terms(listed_input, "topics").items()}
    place_terms = {
        slug: replace(term, url=urls.url("PLACE", slug))
        for slug, term in _canonical_terms(listed_input, "place").items()}

    def with_urls(group: Group) -> Group:
        place = place_terms.get(group.place.slug, group.place)
        district = group.district
        if district is not None and place.url:
            district = replace(district, url=f"{place.url}#stadtteil-{district.slug}")
        calendar = with_calendar and group.has_calendar and urls.pattern("GROUP_CALENDAR", "SAVE_AS")
        return replace(
            group,
            url=urls.url("GROUP", group.slug), save_as=urls.save_as("GROUP", group.slug),
            calendar_url=urls.url("GROUP_CALENDAR", group.slug) if calendar else "",
            topics=tuple(topic_terms.get(t.slug, t) for t in group.topics),
            place=place, district=district)

    pages = _by_name(with_urls(group) for group in groups)
    listed = tuple(g for g in pages if g.is_listed)

    by_topic: dict[str, list[Group]] = defaultdict(list)
    by_place: dict[str, list[Group]] = defaultdict(list)
    by_form: dict[Form, list[Group]] = defaultdict(list)
    by_letter: dict[str, list[Group]] = defaultdict(list)
    for group in listed:  # already A–Z, so every list below is too
        for topic in group.topics:
            by_topic[topic.slug].append(group)
        by_place[group.place.slug].append(group)
        by_form[group.form].append(group)
        by_letter[initial(group.name)].append(group)

    topics = tuple(sorted(
        (Facet("TOPIC", topic_terms[slug], tuple(members), urls.save_as("TOPIC", slug))
         for slug, members in by_topic.items()),
        key=lambda f: sort_key(f.term.name)))
    places = tuple(sorted(
        (_place_facet(place_terms[slug], members, urls) for slug, members in by_place.items()),
        key=lambda f: (f.term.slug == "online", sort_key(f.term.name))))
    forms = tuple(
        Facet("FORM", Term(form.value, form.slug, urls.url("FORM", form.slug)),
              tuple(by_form[form]), urls.save_as("FORM", form.slug))
        for form in Form)
    audiences = tuple(
        Facet("AUDIENCE", replace(term, url=urls.url("AUDIENCE", term.slug)),
              tuple(g for g in listed if g.audience in members),
              urls.save_as("AUDIENCE", term.slug))
        for term, members in AUDIENCE_PAGES)
    letters = tuple(sorted(((letter, tuple(members)) for letter, members in by_letter.items()),
                           key=lambda item: (item[0] == "0–9", item[0])))
    return Directory(
        pages=pages, listed=listed, topics=topics, places=places, forms=forms,
        audiences=audiences, new_groups=tuple(g for g in listed if g.status is Status.FOUNDING),
        letters=letters, by_slug={g.slug: g for g in pages},
        _topic_index={facet.term.slug: facet for facet in topics})


def _place_facet(place: Term, members: list[Group], urls: Urls) -> Facet:
    districts: dict[str, Term] = {}
    by_district: dict[str, list[Group]] = defaultdict(list)
    for group in members:
        key = group.district.slug if group.district else ""
        if group.district:
            districts.setdefault(key, group.district)
        by_district[key].append(group)
    sections: list[tuple[Term | None, tuple[Group, ...]]] = [
        (districts[key], tuple(by_district[key]))
        for key in sorted(districts, key=lambda k: sort_key(districts[k].name))]
    if by_district.get(""):
        sections.append((None, tuple(by_district[""])))
    return Facet("PLACE", place, tuple(members), urls.save_as("PLACE", place.slug),
                 tuple(sections))
