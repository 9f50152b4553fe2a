"""Settings of blog_extras, with their defaults. Override any of them in pelicanconf.py.

Its Markdown extension, typography.py, is not configured here but in MARKDOWN, under the name
"blog_extras.typography", with the options of python-markdown's smarty."""

DEFAULTS = {
    # Words a reader reads per minute, for "3 Minuten Lesezeit".
    "BLOG_EXTRAS_WORDS_PER_MINUTE": 200,
    # How many related posts (sharing tags) a post page lists.
    "BLOG_EXTRAS_RELATED_POSTS": 3,
}


def setting(settings: dict, name: str):
    return settings.get(name, DEFAULTS[name])
