"""Settings of post_sanitizer, with their defaults. Override any of them in pelicanconf.py."""

DEFAULTS = {
    # Folders (relative to PATH, i.e. content/) whose files editors write themselves: they may
    # use raw HTML and any metadata. Everything else is a contributed post and is sanitised.
    # Trust is decided from the resolved file path only, never from anything inside a file.
    "POST_SANITIZER_TRUSTED_PATHS": ["seiten"],
    # The only metadata a contributed post may set (lowercase, as Pelican reads them). Any
    # other key (save_as, url, template, slug, lang, translation, …) is dropped and reported.
    "POST_SANITIZER_ALLOWED_METADATA": [
        "title", "date", "modified", "category", "tags", "author", "authors", "summary",
        "status", "inhaltshinweis", "gruppe", "image",
    ],
    # Status values a contributed post may choose; anything else becomes "draft".
    "POST_SANITIZER_ALLOWED_STATUSES": ["published", "draft"],
    # Categories a contributed post may use (checked by `make.py check`).
    "POST_SANITIZER_CATEGORIES": ["Erfahrungsberichte", "Gastbeiträge"],
    # Shown as author when a contributed post's author is nothing but HTML.
    "POST_SANITIZER_DEFAULT_AUTHOR": "Anonym",
    # Length limits (characters) for shown plain-text fields: the title, and everything else
    # (author, tag, category, Inhaltshinweis, Gruppe).
    "POST_SANITIZER_TITLE_MAX_LENGTH": 200,
    "POST_SANITIZER_TEXT_MAX_LENGTH": 100,
    # Folders (relative to the site root) whose images a contributed post may show. Any other
    # image becomes a plain link, so no reader's browser contacts a foreign server.
    "POST_SANITIZER_IMAGE_PATHS": ["bilder"],
    # The HTML cleaner library: "bleach" (a dependency) or "nh3" (optional, faster).
    "POST_SANITIZER_BACKEND": "bleach",
    # Cache sanitised bodies and metadata (and what was removed from them) under
    # CACHE_PATH/post_sanitizer/. Keyed by the input, the settings and this plugin's code.
    "POST_SANITIZER_CACHE": True,
    # Cache entries unused for this many days are deleted (looked at once a day, after a
    # build).
    "POST_SANITIZER_CACHE_MAX_AGE_DAYS": 30,
    # Markdown extensions that must never be enabled: they let a post's text set HTML
    # attributes (attr_list, md_in_html, extra, legacy_attrs, fenced_code's {#id .class}),
    # read files (snippets, include) or run code (superfences' custom fences, exec).
    # Names are compared without the "markdown.extensions." prefix and ":Class" suffix.
    "POST_SANITIZER_FORBIDDEN_MARKDOWN_EXTENSIONS": [
        "attr_list", "md_in_html", "extra", "legacy_attrs", "fenced_code",
        "pymdownx.snippets", "pymdownx.superfences", "pymdownx.blocks.html",
        "pymdownx.attr_list", "markdown_include.include", "mdx_include", "markdown_exec",
        "pymdownx.extra",
    ],
}


def setting(settings: dict, name: str):
    return settings.get(name, DEFAULTS[name])
