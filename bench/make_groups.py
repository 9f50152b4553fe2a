"""Write a realistic group table with N rows, as an editor's spreadsheet would save it.

    python bench/make_groups.py --groups 10000 --output /tmp/bench/gruppen.csv

Semicolon, BOM, CRLF, quoted cells with line breaks, every status, form and rhythm, some
groups with public contacts, some unpublished. Deterministic for a given seed, so benchmark
runs compare like with like. Used by bench/run.py (`write_groups`).
"""

from __future__ import annotations

import argparse
import csv
import io
import random
from datetime import date, timedelta
from pathlib import Path

HEADER = ["Kennung", "Name", "Themen", "Zielgruppe", "Ort", "Stadtteil", "Form", "Status",
          "Wochentag", "Turnus", "Beginn", "Ende", "Treffen (Hinweis)", "Treffpunkt",
          "Barrierefrei", "Sprachen", "Neue willkommen", "Kontakt öffentlich", "E-Mail",
          "Telefon", "Webseite", "Beschreibung", "Stand", "Veröffentlichen"]

TOPICS = (
    "Sucht, Alkohol, Medikamente, Drogen, Glücksspiel, Essstörungen, Depression, "
    "Angststörungen, "
    "Psychische Gesundheit, Bipolare Störung, Burnout, ADHS, Autismus, Trauer, Suizid, "
    "Verlust eines Kindes, Einsamkeit, Lebenskrisen, Trennung, Pflege, Demenz, Angehörige, "
    "Eltern, Alleinerziehende, Diabetes, Krebs, Brustkrebs, Prostatakrebs, Multiple Sklerose, "
    "Parkinson, Rheuma, Morbus Bechterew, Fibromyalgie, Chronische Schmerzen, Migräne, "
    "Long Covid, ME/CFS, Endometriose, Herzerkrankungen, Schlaganfall, Tinnitus, Schwerhörigkeit, "
    "Sehbehinderung, Stottern, Legasthenie, Transidentität, Männergesundheit, Frauengesundheit, "
    "Seltene Erkrankungen, Organtransplantation, Adipositas, Allergien, Asthma, Epilepsie, "
    "Zwangsstörungen, Messie-Syndrom, Hochsensibilität, Mobbing, Gewalt, Arbeitslosigkeit"
).split(", ")
PLACES = {
    "Beispielstadt": ["Altstadt", "Mitte", "Weststadt", "Nordviertel", "Südviertel", "Lindenhof",
                      "Am Hafen", "Sanderau", ""],
    "Nordheim": ["", "Oberdorf"], "Am See": [""], "Kitzingen": [""], "Ochsenfurt": [""],
    "Marktheidenfeld": [""], "Karlstadt": [""], "Lohr": [""], "Gemünden": [""],
    "Bad Kissingen": ["Kurviertel", ""], "Schweinfurt": ["Innenstadt", "Bergl", ""],
    "Würzburg": ["Zellerau", "Grombühl", "Frauenland", "Heuchelhof", "Lengfeld", ""],
}
WEEKDAYS = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]
RHYTHMS = ["wöchentlich", "14-täglich", "monatlich: 1.", "monatlich: 2.", "monatlich: 3.",
           "monatlich: 2., 4.", "monatlich: 1., 3.", "monatlich: letzter"]
VENUES = ["Selbsthilfehaus, Gruppenraum {n}", "Gemeindehaus St. Martin", "Bürgerhaus, Raum {n}",
          "Mehrgenerationenhaus", "Kontaktstelle, Gruppenraum {n}", "Pfarrheim",
          "Volkshochschule, Raum {n}", "Klinikum, Seminarraum {n}", ""]
HINTS = ["", "", "", "nicht in den Schulferien", "Anmeldung über die Kontaktstelle",
         "Kamera freiwillig", "Kinderbetreuung nach Absprache", "bitte vorher anrufen"]
SENTENCES = [
    "Wir treffen uns in vertraulicher Runde und sprechen über das, was uns bewegt.",
    "Neue sind jederzeit willkommen; niemand muss etwas sagen.",
    "Wir tauschen Erfahrungen aus und geben uns gegenseitig **Halt**.",
    "Manchmal laden wir Fachleute zu einem Vortrag ein.",
    "Angehörige sind ausdrücklich eingeladen.",
    "Wir lachen auch viel – das gehört dazu.",
    "Die Gruppe arbeitet nach dem *Zwölf-Schritte-Programm*.",
    "Wer möchte, kann auch online teilnehmen.",
]


def row(number: int, rng: random.Random, today: date) -> list[str]:
    topics = rng.sample(TOPICS, rng.choice([1, 2, 2, 3]))
    status = rng.choices(["aktiv", "in Gründung", "pausiert", "beendet"], [80, 8, 6, 6])[0]
    form = rng.choices(["Präsenz", "Online", "Hybrid"], [70, 12, 18])[0]
    place = "Online" if form == "Online" else rng.choice(list(PLACES))
    district = "" if place == "Online" else rng.choice(PLACES[place])
    meets = status in ("aktiv", "in Gründung") and rng.random() < 0.93
    weekday, rhythm, start, end = "", "", "", ""
    if meets:
        weekday, rhythm = rng.choice(WEEKDAYS), rng.choice(RHYTHMS)
        hour = rng.choice([10, 14, 16, 17, 18, 18, 19, 19, 19, 20])
        minute = rng.choice(["00", "00", "30"])
        start = rng.choice([f"{hour}:{minute}", f"{hour}:{minute}", f"{hour} Uhr",
                            f"{hour}.{minute}"])
        end = f"{hour + rng.choice([1, 2])}:{minute}"
    public = rng.random() < 0.3
    has_contacts = rng.random() < 0.6
    slug = f"gruppe-{number:05d}"
    name = (f"{rng.choice(['SHG', 'Selbsthilfegruppe', 'Gesprächskreis', 'Treffpunkt'])} "
            f"{topics[0]} {place} {number}")
    # Every description differs, as in real data (no two groups describe themselves alike).
    description = (f"Die Gruppe „{name}“ gibt es seit {rng.randint(1985, 2026)}. "
                   + " ".join(rng.sample(SENTENCES, rng.randint(1, 3))))
    if rng.random() < 0.3:
        description += "\n\n" + rng.choice(SENTENCES)
    checked = today - timedelta(days=rng.randint(0, 540))
    return [
        slug if rng.random() < 0.9 else "",
        name,
        ", ".join(topics),
        rng.choice(["Betroffene", "Betroffene", "Angehörige", "Betroffene und Angehörige", ""]),
        place, district, form, status, weekday, rhythm, start, end, rng.choice(HINTS),
        rng.choice(VENUES).format(n=rng.randint(1, 4)) if form != "Online" else "",
        rng.choice(["ja", "ja", "nein", "unbekannt", ""]),
        rng.choice(["Deutsch", "Deutsch", "Deutsch", "Deutsch, Englisch", "Deutsch, Türkisch"]),
        rng.choice(["ja", "ja", "x", "", "nein"]),
        "ja" if public else "nein",
        f"{slug}@gruppen.example.org" if has_contacts else "",
        f"0{rng.randint(100, 999)} {rng.randint(100000, 9999999)}" if has_contacts else "",
        f"https://{slug}.example.org" if rng.random() < 0.2 else "",
        description,
        checked.strftime("%d.%m.%Y"),
        "nein" if rng.random() < 0.02 else "ja",
    ]


def groups_csv(count: int, seed: int = 20261124, today: date = date(2026, 11, 24)) -> str:
    rng = random.Random(seed)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    for number in range(1, count + 1):
        writer.writerow(row(number, rng, today))
    # Inside quoted cells, a spreadsheet writes CRLF too.
    return buffer.getvalue().replace("\n\n", "\r\n\r\n")


def write_groups(path: Path, count: int, seed: int = 20261124) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xef\xbb\xbf" + groups_csv(count, seed).encode("utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=10_000)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=20261124)
    args = parser.parse_args()
    write_groups(args.output, args.groups, args.seed)
    print(f"{args.groups} Gruppen geschrieben: {args.output}")


if __name__ == "__main__":
    main()
