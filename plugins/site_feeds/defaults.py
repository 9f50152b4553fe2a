"""Settings of site_feeds, with their defaults. Override any of them in pelicanconf.py."""

DEFAULTS = {
    # Where the feed of all posts is written (relative to the output folder).
    "SITE_FEEDS_ALL_ATOM": "feeds/alle.atom.xml",
    "SITE_FEEDS_ALL_RSS": "feeds/alle.rss.xml",
    # One feed per category; {slug} is the category's slug. "" turns them off.
    "SITE_FEEDS_CATEGORY_ATOM": "feeds/kategorie/{slug}.atom.xml",
    "SITE_FEEDS_CATEGORY_RSS": "feeds/kategorie/{slug}.rss.xml",
    # How many of the newest posts a feed carries.
    "SITE_FEEDS_MAX_ITEMS": 30,
}


def setting(settings: dict, name: str):
    return settings.get(name, DEFAULTS[name])
