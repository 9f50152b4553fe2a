"""The directory's assembly without Pelican: URLs, indexes, related groups, post links and
the editors' summary."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import SimpleNamespace

from group_directory.defaults import DEFAULTS
from group_directory.facets import Urls, build_directory, reserved_slugs
from group_directory.model import Audience, Form, Group, Rhythm, Schedule, Status, Term
from group_directory.posts import link_posts
from group_directory.report import Summary, load_previous, new_since, save_current

URLS = Urls(DEFAULTS)
SUCHT, TRAUER = Term("Sucht", "sucht"), Term("Trauer", "trauer")
STADT = Term("Beispielstadt", "beispielstadt")


def group(slug: str, name: str, *topics: Term, **changes) -> Group:
    values = dict(slug=slug, name=name, topics=topics or (SUCHT,), place=STADT,
                  form=Form.PRESENCE, status=Status.ACTIVE, row=2)
    values.update(changes)
    return Group(**values)


def test_reserved_slugs_follow_the_url_settings():
    assert reserved_slugs(URLS) == {
        "a-z": "die Liste aller Gruppen von A bis Z", "thema": "die Seiten nach Thema",
        "ort": "die Seiten nach Ort", "form": "die Seiten nach Form",
        "zielgruppe": "die Seiten nach Zielgruppe", "neue-gruppen": "die Seite „Neue Gruppen“",
        "neue-gruppen.atom.xml": "den Feed „Neue Gruppen“",
        "gruppen.json": "die JSON-Datei für Partnerseiten"}
    other = Urls(dict(DEFAULTS, GROUP_DIRECTORY_GROUP_URL="selbsthilfe/{slug}/",
                      GROUP_DIRECTORY_GROUPS_AZ_URL="alle/"))
    assert "a-z" not in reserved_slugs(other)


def test_every_setting_carries_the_plugin_prefix_and_old_names_are_reported():
    from group_directory.defaults import renamed_settings

    assert all(name.startswith("GROUP_DIRECTORY_") for name in DEFAULTS)
    assert renamed_settings({"GROUP_URL": "selbsthilfe/{slug}/", "SITENAME": "Beispielstadt",
                             "GROUP_DIRECTORY_TOPIC_URL": "thema/{slug}/"}) == [
        "pelicanconf.py: Die Einstellung „GROUP_URL“ heißt jetzt „GROUP_DIRECTORY_GROUP_URL“; "
        "bitte umbenennen."]


def test_directory_urls_indexes_and_order():
    groups = [
        group("zeit", "Zeitlos", TRAUER, status=Status.ENDED),
        group("b", "Betroffene Sucht", audience=Audience.AFFECTED,
              district=Term("Altstadt", "altstadt"),
              schedule=Schedule(weekday=0, rhythm=Rhythm.WEEKLY, start=None)),
        group("a", "„Angehörige“", SUCHT, TRAUER, audience=Audience.BOTH, form=Form.ONLINE,
              status=Status.FOUNDING),
        group("p", "Pause", audience=Audience.RELATIVES, status=Status.PAUSED),
    ]
    directory = build_directory(groups, URLS)
    assert [g.slug for g in directory.listed] == ["a", "b", "p"]
    assert [g.slug for g in directory.pages] == ["a", "b", "p", "zeit"]
    a = directory.by_slug["a"]
    assert (a.url, a.save_as) == ("gruppen/a/", "gruppen/a/index.html")
    assert [t.url for t in a.topics] == ["gruppen/thema/sucht/", "gruppen/thema/trauer/"]
    assert directory.by_slug["b"].district.url == "gruppen/ort/beispielstadt/#stadtteil-altstadt"
    assert directory.by_slug["b"].calendar_url == ""  # no start and end time
    assert {f.term.slug: [g.slug for g in f.groups] for f in directory.topics} == {
        "sucht": ["a", "b", "p"], "trauer": ["a"]}
    assert {f.term.slug: f.count for f in directory.forms} == {
        "praesenz": 2, "online": 1, "hybrid": 0}
    assert {f.term.slug: [g.slug for g in f.groups] for f in directory.audiences} == {
        "betroffene": ["a", "b"], "angehoerige": ["a", "p"]}
    assert [g.slug for g in directory.new_groups] == ["a"]
    assert [(letter, [g.slug for g in gs]) for letter, gs in directory.letters] == [
        ("A", ["a"]), ("B", ["b"]), ("P", ["p"])]
    (place,) = directory.places
    assert [(d.name if d else None, [g.slug for g in gs]) for d, gs in place.sections] == [
        ("Altstadt", ["b"]), (None, ["a", "p"])]
    assert directory.counts == {"listed": 3, "active": 1, "founding": 1, "paused": 1,
                                "ended": 1}
    # The ended group links active groups on its topics, not paused ones, not itself.
    assert [g.slug for g in directory.related_active(directory.by_slug["zeit"])] == ["a"]
    assert directory.by_slug["zeit"].topics[0].url == "gruppen/thema/trauer/"


def test_related_groups_are_limited():
    groups = [group(f"g{i}", f"Gruppe {i}") for i in range(20)]
    directory = build_directory([*groups, group("alt", "Alt", status=Status.ENDED)], URLS)
    assert len(directory.related_active(directory.by_slug["alt"], limit=5)) == 5


def post(path: Path, gruppe: str | None, status: str = "published"):
    metadata = {"gruppe": gruppe} if gruppe else {}
    return SimpleNamespace(metadata=metadata, source_path=str(path), status=status,
                           translations=[])


def test_posts_link_groups_and_unknown_ones_are_reported_with_their_line(tmp_path):
    source = tmp_path / "bericht.md"
    source.write_text("Title: x\nDate: 2026-01-01\nGruppe: gibts-nicht\n\nText\n")
    known, unknown, draft = post(source, "a"), post(source, "gibts-nicht"), post(
        source, "gibts-nicht", "draft")
    hidden_link = post(source, "geheim")
    directory = build_directory([group("a", "A"), group("alpha", "Alpha")], URLS)
    context = {"articles": [known, unknown, hidden_link], "drafts": [draft]}
    by_group, problems, warnings = link_posts(context, directory.by_slug, {"geheim"},
                                              lambda p: "content/beitraege/bericht.md")
    assert known.group.slug == "a" and by_group == {"a": [known]}
    assert [str(p) for p in problems] == [
        "content/beitraege/bericht.md:3: Gruppe „gibts-nicht“ gibt es im Gruppenverzeichnis "
        "nicht. Erlaubt: eine Kennung aus der Spalte „Kennung“ der Gruppentabelle.",
        "content/beitraege/bericht.md:3: Die Gruppe „geheim“ ist nicht veröffentlicht "
        "(Veröffentlichen: nein); ein Beitrag kann nicht auf sie verweisen."]
    assert len(warnings) == 1  # the draft only warns


def test_editors_summary_and_state(tmp_path):
    state = tmp_path / "cache" / "group_directory_state.json"
    assert load_previous(state) is None
    assert new_since(None, ["a"]) is None
    save_current(state, ["b", "a"])
    assert load_previous(state) == {"a", "b"}
    assert new_since({"a", "b"}, ["a", "b", "c"]) == ("c",)
    summary = Summary(published=3, founding=1, paused=1, ended=2, new=("c",), stale=1,
                      stale_months=12, warnings=4, unpublished=1)
    assert summary.lines() == [
        "Gruppenverzeichnis: 3 Gruppen veröffentlicht, davon 1 in Gründung und 1 pausiert; "
        "2 beendet (Seite bleibt, nicht gelistet); 1 nicht veröffentlicht.",
        "Neu seit dem letzten Bauen: 1 (c)",
        "Bitte prüfen (Stand älter als 12 Monate): 1. Warnungen: 4.",
    ]
    state.write_text("kaputt")
    assert load_previous(state) is None


def test_reference_date_setting():
    from group_directory.generator import reference_date

    assert reference_date("2026-11-24", "Europe/Berlin") == date(2026, 11, 24)
    assert reference_date(date(2026, 1, 2), "Europe/Berlin") == date(2026, 1, 2)
    assert isinstance(reference_date(None, "Europe/Berlin"), date)


def test_json_ld_of_an_ended_group_keeps_its_own_contacts_back():
    from group_directory.exports import ContactPoint, group_jsonld

    contact = ContactPoint("Kontaktstelle Beispielstadt", "01234 567890",
                           "info@selbsthilfe-beispielstadt.example", "/kontakt/")
    released = dict(contact_public=True, email="lichtblick@gruppe.example",
                    phone="01234 99887", website="https://lichtblick.example")
    active = group_jsonld(group("lichtblick", "Lichtblick", **released), site_url="",
                          contact=contact, meetings=(), tzid="Europe/Berlin")
    assert active["email"] == "lichtblick@gruppe.example" and active["sameAs"]
    ended = group_jsonld(group("lichtblick", "Lichtblick", status=Status.ENDED, **released),
                         site_url="", contact=contact, meetings=(), tzid="Europe/Berlin")
    assert not {"email", "telephone", "sameAs"} & set(ended)
    assert ended["contactPoint"]["telephone"] == "01234 567890"


def test_json_export_holds_every_record_one_group_per_line():
    import json

    from group_directory.exports import ContactPoint, group_record, json_export

    contact = ContactPoint("Kontaktstelle Beispielstadt", "01234 567890",
                           "info@selbsthilfe-beispielstadt.example", "/kontakt/")
    groups = [group("lichtblick", "Lichtblick – Angehörige „nasser“ Alkoholiker",
                    checked=date(2026, 10, 1),
                    schedule=Schedule(weekday=2, rhythm=Rhythm.WEEKLY)),
              group("atempause", "Atempause\nmit Zeilenumbruch", TRAUER, form=Form.ONLINE)]
    kwargs = dict(site_url="https://www.selbsthilfe-beispielstadt.example",
                  sitename="Selbsthilfe Beispielstadt", contact=contact,
                  reference=date(2026, 12, 7))

    text = json_export(groups, **kwargs).decode("utf-8")

    assert json.loads(text) == {
        "version": 1, "quelle": "Selbsthilfe Beispielstadt",
        "url": "https://www.selbsthilfe-beispielstadt.example/", "stand": "2026-10-01",
        "anzahl": 2, "gruppen": [group_record(g, kwargs["site_url"], contact) for g in groups]}
    lines = text.split("\n")[:-1]  # "one group per line": \n only, whatever U+2028 does
    assert len(lines) == 4 and lines[-1] == "]}"
    assert json.loads(lines[1].rstrip(",")) == group_record(groups[0], kwargs["site_url"],
                                                            contact)
    assert "„nasser“" in lines[1]  # as written, not \u201e
    empty = json_export([], **kwargs).decode("utf-8")
    assert empty.endswith(', "gruppen": []}\n')
    assert json.loads(empty)["stand"] == "2026-12-07"
