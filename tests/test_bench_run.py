"""bench/run.py: the three build phases, the search index line and the reported figures.

No real site is built here: a tiny fake build command stands in for it, so these tests stay
fast. The benchmark itself is run by hand (`python3 make.py bench`).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bench import run as bench

REAL_STDOUT = (
    """Baue die Website mit publishconf.py …
Gruppenverzeichnis: 9 Gruppen veröffentlicht, davon 0 in Gründung und 1 pausiert.
"""
    # Exactly as plugins/offline_search prints it, on one line.
    "Suchindex: 1937 Seiten in 3.3 s, 3.6 MB in 1981 Dateien "
    "(Pagefind 1.5.2, Speicher höchstens 187 MiB).\n"
    "Fertig: Die Website liegt vollständig in output/.\n"
)

# Stands in for a build: writes the output, prints the search index line, and says "nothing
# changed" when run again without the post having changed since its last run.
FAKE_BUILD = """
import hashlib, sys
from pathlib import Path
content, output, stamp = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
post = hashlib.sha256(b"".join(p.read_bytes() for p in sorted((content / "beitraege")
                                                               .iterdir()))).hexdigest()
if output.is_dir() and stamp.exists() and stamp.read_text() == post:
    print("Seit dem letzten Bauen hat sich nichts geändert: output/ ist aktuell.")
    sys.exit(0)
output.mkdir(parents=True, exist_ok=True)
(output / "index.html").write_text("x" * 2048)
stamp.write_text(post)
print("Suchindex: 12 Seiten in 0,4 s, 0.2 MB in 30 Dateien "
      "(Pagefind 1.5.2, Speicher höchstens 21 MiB).")
"""


def run(seconds: float, cpu: float = 1.0, peak: float = 100.0) -> bench.Run:
    return bench.Run(seconds=seconds, cpu_seconds=cpu, peak_mib=peak, system_seconds=cpu / 4)


def measured(full: list[float], rebuild: list[float], unchanged: list[float],
             skipped: int = 0, indexes: list[bench.SearchIndex] = (),
             rebuild_again: list[float] | None = None) -> bench.Measurements:
    measurements = bench.Measurements(skipped_unchanged=skipped,
                                      search_indexes=list(indexes),
                                      output_mib=[10.0] * len(full))
    for phase, seconds in (("full", full), ("rebuild", rebuild),
                           ("rebuild_again", rebuild if rebuild_again is None else rebuild_again),
                           ("unchanged", unchanged)):
        measurements.runs[phase] = [run(value) for value in seconds]
    return measurements


def test_search_index_line_is_parsed():
    assert bench.parse_search_index(REAL_STDOUT) == bench.SearchIndex(
        pages=1937, seconds=3.3, megabytes=3.6, files=1981, peak_mib=187)


def test_search_index_accepts_decimal_commas():
    line = ("Suchindex: 65 Seiten in 0,2 s, 0,3 MB in 80 Dateien "
            "(Pagefind 1.5.2, Speicher höchstens 22 MiB).")
    assert bench.parse_search_index(line) == bench.SearchIndex(65, 0.2, 0.3, 80, 22)


def test_no_search_index_line_gives_none():
    assert bench.parse_search_index("") is None
    assert bench.parse_search_index(
        "Seit dem letzten Bauen hat sich nichts geändert: output/ ist aktuell.") is None


def test_our_command_never_forces_a_build(tmp_path):
    # --force would turn the no-change rebuild into a full one and hide publish's skip.
    command = bench.ours(tmp_path / "content", tmp_path / "out")
    assert "--force" not in command
    assert command[1:3] == ["-m", "sitetools.publish"]


def test_a_run_measures_full_build_one_change_and_no_change(tmp_path):
    content = tmp_path / "content"
    (content / "beitraege").mkdir(parents=True)
    (content / "beitraege" / "bericht-00007.md").write_text("Title: T\n\nText\n")
    (content / "beitraege" / "bericht-00011.md").write_text("Title: U\n\nText\n")
    output = tmp_path / "out"
    script = tmp_path / "fake_build.py"
    script.write_text(FAKE_BUILD, encoding="utf-8")
    command = [sys.executable, str(script), str(content), str(output), str(tmp_path / "stamp")]
    measurements = bench.Measurements()

    for round_number in range(2):
        bench.measure_run(command, tmp_path, output, content, round_number, measurements)

    assert {phase: len(runs) for phase, runs in measurements.runs.items()} == {
        "full": 2, "rebuild": 2, "rebuild_again": 2, "unchanged": 2}
    # The rebuild saw the changed post; the run after it saw nothing new and skipped.
    assert all("Suchindex" in r.stdout for r in measurements.runs["rebuild"])
    assert measurements.skipped_unchanged == 2
    assert measurements.search_indexes == [bench.SearchIndex(12, 0.4, 0.2, 30, 21)] * 2
    assert all(size > 0 for size in measurements.output_mib)
    runs = [run for phase in measurements.runs.values() for run in phase]
    assert all(0 <= run.system_seconds <= run.cpu_seconds for run in runs)
    assert any(run.system_seconds > 0 for run in runs)  # a process start costs kernel time
    assert "Nachtrag 1." in (content / "beitraege" / "bericht-00007.md").read_text()
    # The first run's output was moved aside before the second full build, not deleted.
    assert [p.name for p in (tmp_path / bench.TRASH).iterdir()] == ["0-out"]
    assert "Nachtrag 1." in (content / "beitraege" / "bericht-00011.md").read_text()


def test_format_triple():
    assert bench.format_triple([], "s") == "–"
    assert bench.format_triple([2.0, 2.04, 1.96], "s") == "2.0 s"
    assert bench.format_triple([3.0, 1.0, 2.0], "s", separator=" / ") == "1.0 / 2.0 / 3.0 s"
    assert bench.format_triple([65, 65], "", digits=0) == "65"


def test_targets_as_share_of_own_full_build_and_ratio_to_plain():
    measurements = {"ours": measured([10, 12, 11], [2, 2.5, 1.5], [0.5, 0.6, 0.4], skipped=3,
                                     rebuild_again=[2.5, 2.5, 3]),
                    "plain": measured([10, 10, 10], [10, 10, 10], [10, 10, 10])}
    assert bench.target_lines(3, measurements) == [
        "Nach 1 Änderung: 18 % des eigenen Vollbaus (Ziel ≤ 20 %) – erreicht",
        "Nach weiterer Änderung: 23 % des eigenen Vollbaus (Ziel ≤ 20 %) – verfehlt",
        "Ohne Änderung: 5 % des eigenen Vollbaus (Ziel ≤ 10 %) – erreicht",
        "Vollbau: 1.10× so lang wie Pelican pur (Ziel ≤ 1.3×) – erreicht",
    ]


def test_targets_warn_when_no_change_run_was_not_skipped():
    measurements = {"ours": measured([10], [9], [10], skipped=0),
                    "plain": measured([5], [5], [5])}
    lines = bench.target_lines(1, measurements)
    assert lines[:4] == [
        "Nach 1 Änderung: 90 % des eigenen Vollbaus (Ziel ≤ 20 %) – verfehlt",
        "Nach weiterer Änderung: 90 % des eigenen Vollbaus (Ziel ≤ 20 %) – verfehlt",
        "Ohne Änderung: 100 % des eigenen Vollbaus (Ziel ≤ 10 %) – verfehlt",
        "Vollbau: 2.00× so lang wie Pelican pur (Ziel ≤ 1.3×) – verfehlt",
    ]
    assert lines[4].startswith("Achtung: Ohne Änderung hat dieses Projekt in 1 von 1 Läufen")


def test_markdown_table(capsys):
    index = bench.SearchIndex(1937, 3.3, 3.6, 1981, 187)
    measurements = {"ours": measured([12, 13, 14], [2, 2, 2], [0.5, 0.5, 0.5], skipped=3,
                                     indexes=[index] * 3),
                    "plain": measured([10, 10, 10], [10, 10, 10], [10, 10, 10])}
    args = type("Args", (), {"posts": 1000, "groups": 1000, "runs": 3})()

    bench.print_markdown(args, measurements)

    lines = capsys.readouterr().out.splitlines()
    assert ("| Messgröße | dieses Projekt (min/Median/max) | Pelican pur (min/Median/max) "
            "| Verhältnis dieses Projekt / Pelican pur (Median) |") in lines
    assert "| Vollbau: Zeit | 12.0 / 13.0 / 14.0 s | 10.0 s | 1.30× |" in lines
    assert "| Ohne Änderung: Zeit | 0.5 s | 10.0 s | 0.05× |" in lines
    assert "| Vollbau: davon Systemzeit | 0.2 s | 0.2 s | 1.00× |" in lines
    assert "| Suchindex: Spitzenspeicher | 187 MiB | – | – |" in lines
    assert "| Ausgabe | 10.0 MiB | 10.0 MiB | 1.00× |" in lines
    assert "- Vollbau: 1.30× so lang wie Pelican pur (Ziel ≤ 1.3×) – erreicht" in lines


def test_markdown_table_with_plain_pelican_and_its_cache(capsys):
    measurements = {"ours": measured([12, 13, 14], [2, 2, 2], [0.5, 0.5, 0.5], skipped=3),
                    "plain": measured([10, 10, 10], [10, 10, 10], [10, 10, 10]),
                    "plain-cached": measured([11, 11, 11], [5, 6, 7], [5, 5, 5])}
    args = type("Args", (), {"posts": 1000, "groups": 1000, "runs": 3})()

    bench.print_markdown(args, measurements)

    lines = capsys.readouterr().out.splitlines()
    assert ("| Messgröße | dieses Projekt (min/Median/max) | Pelican pur (min/Median/max) "
            "| Pelican pur mit Cache (min/Median/max) "
            "| Verhältnis dieses Projekt / Pelican pur (Median) |") in lines
    assert "|---|---:|---:|---:|---:|" in lines
    assert "| Nach 1 Änderung: Zeit | 2.0 s | 10.0 s | 5.0 / 6.0 / 7.0 s | 0.20× |" in lines


def test_plain_pelican_with_cache_keeps_its_cache_where_a_full_build_moves_it_aside(tmp_path):
    settings = bench.write_plain_settings(tmp_path)
    command = bench.VARIANTS["plain-cached"](tmp_path / "content", tmp_path / "out", settings)

    def read(path: Path) -> dict:
        namespace: dict = {}
        exec(path.read_text(encoding="utf-8"), namespace)
        return namespace

    plain, cached = read(settings), read(Path(command[command.index("-s") + 1]))
    assert not plain.get("LOAD_CONTENT_CACHE")
    assert cached["LOAD_CONTENT_CACHE"] and cached["CACHE_CONTENT"]
    assert cached["CACHE_PATH"] == str(tmp_path / "cache")  # what measure_run moves aside
    assert {k: v for k, v in cached.items() if "CACHE" not in k} == {
        k: v for k, v in plain.items() if "CACHE" not in k}


@pytest.mark.skipif(not Path("/proc/mounts").is_file(), reason="Linux only")
def test_the_file_system_of_the_work_folder_is_named(tmp_path):
    # The longest mount point that contains the folder decides: "/" is ext4 here, while
    # /proc is always proc.
    assert bench.file_system_of(Path("/proc/self")) == "proc"
    assert bench.file_system_of(tmp_path) not in ("?", "proc")


def test_the_last_runs_folders_are_moved_aside_not_deleted_before_a_full_build(tmp_path):
    output = tmp_path / "out"
    (output / "beitraege").mkdir(parents=True)
    (output / "index.html").write_text("alt", encoding="utf-8")
    trash = tmp_path / bench.TRASH
    bench.move_out_of_the_way(output, trash)
    bench.move_out_of_the_way(tmp_path / "fehlt", trash)  # nothing there: nothing to do
    output.mkdir()
    bench.move_out_of_the_way(output, trash)
    assert not output.exists()
    assert sorted(p.name for p in trash.iterdir()) == ["0-out", "1-out"]
    assert (trash / "0-out" / "index.html").read_text(encoding="utf-8") == "alt"
