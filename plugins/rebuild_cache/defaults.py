"""Settings of rebuild_cache, with their defaults. Override any of them in pelicanconf.py.

The caches live in CACHE_PATH/rebuild_cache/. Deleting that folder is always safe: the next
build is a full one.
"""

DEFAULTS = {
    # Off: every build reads and renders everything (as plain Pelican does).
    "REBUILD_CACHE_ENABLED": True,
    # Remember each post's Markdown rendering (keyed by the file's bytes).
    "REBUILD_CACHE_READING": True,
    # Remember each output page (keyed by everything its template reads).
    "REBUILD_CACHE_RENDERING": True,
    # Let a second process read posts and render pages from the other end of the list when
    # the caches are cold. 0 or 1 turns it off; it only runs where os.fork exists (not on
    # Windows) and only from this many uncached posts or pages on.
    "REBUILD_CACHE_HELPERS": 1,
    "REBUILD_CACHE_HELPER_FROM": 40,
    # How many cache generations (different settings, theme, plugins or package versions)
    # are kept; the preview and the publish build are one each.
    "REBUILD_CACHE_GENERATIONS": 4,
}


def setting(settings: dict, name: str):
    return settings.get(name, DEFAULTS[name])
