"""Settings of group_directory, with their defaults. Override any of them in pelicanconf.py.

URL settings follow Pelican's <KIND>_URL / <KIND>_SAVE_AS grammar, with this plugin's prefix
(GROUP_DIRECTORY_GROUP_URL …): `{slug}` is the group's Kennung (or the topic's, place's … URL
key). A `_SAVE_AS` of "" turns that page off. Templates get them under the same names.
"""

from __future__ import annotations

from typing import Any

DEFAULTS: dict[str, Any] = {
    # The editors' table, relative to PATH. If the file does not exist, no directory is built.
    "GROUP_DIRECTORY_DATA": "gruppen/gruppen.csv",
    # The day meeting dates are computed from: an ISO date ("2026-11-24") or None for the
    # day of the build (in TIMEZONE). Tests set it so their output does not depend on the day.
    "GROUP_DIRECTORY_TODAY": None,
    # How many upcoming meeting days a group page lists.
    "GROUP_DIRECTORY_NEXT_DATES": 3,
    # Entries whose "Stand" is older than this many months are reported as "bitte prüfen".
    "GROUP_DIRECTORY_STALE_MONTHS": 12,
    # The contact point's contact page (URL relative to the site root); readers reach groups
    # through it unless a group published its own contacts. Phone and e-mail: CONTACT_POINT.
    "GROUP_DIRECTORY_CONTACT_PAGE": "kontakt/",
    # Ended groups link to up to this many active groups on the same topics.
    "GROUP_DIRECTORY_RELATED_GROUPS": 5,
    # File in CACHE_PATH that remembers the Kennungen of the last build ("new since …").
    "GROUP_DIRECTORY_STATE_FILE": "group_directory_state.json",
    # Large directories use worker processes: descriptions are sanitised in parallel, and
    # calendar files are written while the pages are rendered, once there are at least
    # PARALLEL_FROM of them. WORKERS: how many processes (None: one less than the CPU
    # cores, at most 3; 0: everything in the build's own process).
    "GROUP_DIRECTORY_WORKERS": None,
    "GROUP_DIRECTORY_PARALLEL_FROM": 200,

    # The directory's start page: explanation, counts, links to every index.
    "GROUP_DIRECTORY_GROUPS_URL": "gruppen/",
    "GROUP_DIRECTORY_GROUPS_SAVE_AS": "gruppen/index.html",
    # All groups A–Z, with the JavaScript filter.
    "GROUP_DIRECTORY_GROUPS_AZ_URL": "gruppen/a-z/",
    "GROUP_DIRECTORY_GROUPS_AZ_SAVE_AS": "gruppen/a-z/index.html",
    # One page per group, and its calendar file (only for groups that meet on a schedule).
    "GROUP_DIRECTORY_GROUP_URL": "gruppen/{slug}/",
    "GROUP_DIRECTORY_GROUP_SAVE_AS": "gruppen/{slug}/index.html",
    "GROUP_DIRECTORY_GROUP_CALENDAR_URL": "gruppen/{slug}/termine.ics",
    "GROUP_DIRECTORY_GROUP_CALENDAR_SAVE_AS": "gruppen/{slug}/termine.ics",
    # Index pages by topic (Thema), place (Ort, sections per Stadtteil), meeting form
    # (praesenz, online, hybrid) and audience (betroffene, angehoerige).
    "GROUP_DIRECTORY_TOPIC_URL": "gruppen/thema/{slug}/",
    "GROUP_DIRECTORY_TOPIC_SAVE_AS": "gruppen/thema/{slug}/index.html",
    "GROUP_DIRECTORY_PLACE_URL": "gruppen/ort/{slug}/",
    "GROUP_DIRECTORY_PLACE_SAVE_AS": "gruppen/ort/{slug}/index.html",
    "GROUP_DIRECTORY_FORM_URL": "gruppen/form/{slug}/",
    "GROUP_DIRECTORY_FORM_SAVE_AS": "gruppen/form/{slug}/index.html",
    "GROUP_DIRECTORY_AUDIENCE_URL": "gruppen/zielgruppe/{slug}/",
    "GROUP_DIRECTORY_AUDIENCE_SAVE_AS": "gruppen/zielgruppe/{slug}/index.html",
    # Groups "in Gründung": a page and an Atom feed.
    "GROUP_DIRECTORY_NEW_GROUPS_URL": "gruppen/neue-gruppen/",
    "GROUP_DIRECTORY_NEW_GROUPS_SAVE_AS": "gruppen/neue-gruppen/index.html",
    "GROUP_DIRECTORY_NEW_GROUPS_FEED_URL": "gruppen/neue-gruppen.atom.xml",
    "GROUP_DIRECTORY_NEW_GROUPS_FEED_SAVE_AS": "gruppen/neue-gruppen.atom.xml",
    # The public fields of every listed group as JSON, for partner sites.
    "GROUP_DIRECTORY_GROUPS_JSON_URL": "gruppen/gruppen.json",
    "GROUP_DIRECTORY_GROUPS_JSON_SAVE_AS": "gruppen/gruppen.json",
}


# Names these settings had before they carried the plugin's prefix: a site that still sets
# one is told (the setting would otherwise be ignored without a word).
OLD_NAMES = {name.removeprefix("GROUP_DIRECTORY_"): name for name in DEFAULTS
             if name.endswith(("_URL", "_SAVE_AS"))}


def renamed_settings(settings: dict) -> list[str]:
    """A message for each setting the site sets under its old name."""
    return [f"pelicanconf.py: Die Einstellung „{old}“ heißt jetzt „{new}“; bitte umbenennen."
            for old, new in OLD_NAMES.items() if old in settings]


def plugin_settings(settings: dict) -> dict[str, Any]:
    """Every setting of this plugin, the site's value where it sets one."""
    return {name: settings.get(name, default) for name, default in DEFAULTS.items()}
