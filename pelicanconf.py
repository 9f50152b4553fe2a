"""Settings for writing and previewing. publishconf.py builds on these for the real site.

Every plugin's own settings are prefixed with the plugin's name and documented, with their
defaults, in that plugin's `defaults.py`.
"""

from __future__ import annotations

# --- The contact point -------------------------------------------------------------------
SITENAME = "Selbsthilfe-Kontaktstelle Beispielstadt"
SITE_DESCRIPTION = (
    "Die Selbsthilfe-Kontaktstelle Beispielstadt vermittelt in Selbsthilfegruppen, "
    "berät bei der Gruppengründung und veröffentlicht Erfahrungsberichte aus den Gruppen."
)
SITEURL = ""
DEFAULT_LANG = "de"
TIMEZONE = "Europe/Berlin"
CONTACT_POINT = {
    "name": SITENAME,
    "street": "Lindenstraße 12",
    "postal_code": "12345",
    "town": "Beispielstadt",
    "phone": "01234 567890",
    "phone_href": "tel:+491234567890",
    "email": "info@selbsthilfe-beispielstadt.example",
    "hours": "Mo–Do 9–13 Uhr, Di 15–18 Uhr",
}

# Shown on every page ("Hilfe in Krisen") and below posts that carry a content note.
CRISIS_HELP = {
    "page_slug": "hilfe-in-krisen",
    "lines": [
        ("TelefonSeelsorge", "0800 111 0 111", "tel:08001110111"),
        ("TelefonSeelsorge", "0800 111 0 222", "tel:08001110222"),
        ("TelefonSeelsorge", "116 123", "tel:116123"),
    ],
    "emergency": ("Notruf", "112", "tel:112"),
}

# --- Where content lives -----------------------------------------------------------------
PATH = "content"
ARTICLE_PATHS = ["beitraege"]
PAGE_PATHS = ["seiten"]
# content/bilder/ is not copied: plugins/image_variants publishes only metadata-free,
# resized variants of the images that posts and pages show, never the originals.
STATIC_PATHS = ["extra"]
EXTRA_PATH_METADATA = {
    "extra/favicon.ico": {"path": "favicon.ico"},
    "extra/htaccess": {"path": ".htaccess"},
}
# robots.txt is a template so that it names the sitemap under the real SITEURL.
TEMPLATE_PAGES = {"extra/robots.txt": "robots.txt"}
# A post's category comes from its "Category:" line only (post_sanitizer checks it), never
# from the folder name "beitraege".
USE_FOLDER_AS_CATEGORY = False
DEFAULT_CATEGORY = "Erfahrungsberichte"
IGNORE_FILES = [".#*", "_vorlage*", "robots.txt"]
# rST and raw HTML readers are off: docutils' `include` directive reads any file on disk.
READERS = {"rst": None, "html": None, "htm": None}

# --- URLs (German, without .html) --------------------------------------------------------
ARTICLE_URL = "beitraege/{slug}/"
ARTICLE_SAVE_AS = "beitraege/{slug}/index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
CATEGORY_URL = "kategorie/{slug}/"
CATEGORY_SAVE_AS = "kategorie/{slug}/index.html"
CATEGORIES_URL = "kategorie/"
CATEGORIES_SAVE_AS = "kategorie/index.html"
TAG_URL = "schlagwort/{slug}/"
TAG_SAVE_AS = "schlagwort/{slug}/index.html"
TAGS_URL = "schlagwort/"
TAGS_SAVE_AS = "schlagwort/index.html"
AUTHOR_URL = "autorinnen-und-autoren/{slug}/"
AUTHOR_SAVE_AS = "autorinnen-und-autoren/{slug}/index.html"
AUTHORS_URL = "autorinnen-und-autoren/"
AUTHORS_SAVE_AS = "autorinnen-und-autoren/index.html"
ARCHIVES_URL = "archiv/"
ARCHIVES_SAVE_AS = "archiv/index.html"
YEAR_ARCHIVE_URL = "archiv/{date:%Y}/"
YEAR_ARCHIVE_SAVE_AS = "archiv/{date:%Y}/index.html"
MONTH_ARCHIVE_SAVE_AS = ""
DAY_ARCHIVE_SAVE_AS = ""
DIRECT_TEMPLATES = ["index", "tags", "categories", "authors", "archives", "404",
                    "search"]  # search: the search page (plugins/offline_search)
INDEX_SAVE_AS = "index.html"
SEARCH_URL = "suche/"
SEARCH_SAVE_AS = "suche/index.html"

DEFAULT_PAGINATION = 8
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/seite/{number}/", "{base_name}/seite/{number}/index.html"),
)

# Slugs: umlauts the German way (Ärger -> aerger), before unidecode would turn ä into a.
SLUGIFY_SOURCE = "basename"
SLUGIFY_USE_UNICODE = True
SLUG_REGEX_SUBSTITUTIONS = [
    (r"Ä", "Ae"), (r"Ö", "Oe"), (r"Ü", "Ue"), (r"ä", "ae"), (r"ö", "oe"), (r"ü", "ue"),
    (r"ß", "ss"), (r"[éèê]", "e"), (r"[áàâ]", "a"), (r"ç", "c"), (r"[óòô]", "o"),
    (r"[^\w\s-]", ""),
    (r"(?u)\A\s*", ""),
    (r"(?u)\s*\Z", ""),
    (r"[-\s]+", "-"),
]
TAG_REGEX_SUBSTITUTIONS = CATEGORY_REGEX_SUBSTITUTIONS = AUTHOR_REGEX_SUBSTITUTIONS = (
    SLUG_REGEX_SUBSTITUTIONS
)

# --- Feeds: Pelican's own feeds are off; plugins/site_feeds writes them with feedgen. ----
FEED_ALL_ATOM = None
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
CATEGORY_FEED_RSS = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TAG_FEED_ATOM = None
TAG_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
TRANSLATION_FEED_RSS = None
FEED_DOMAIN = None

# --- Theme and templates -----------------------------------------------------------------
THEME = "theme"
THEME_STATIC_DIR = "theme"
THEME_STATIC_PATHS = ["static"]
JINJA_ENVIRONMENT = {"autoescape": True, "trim_blocks": True, "lstrip_blocks": True}
# Markdown for contributed posts: nothing that lets text set attributes or run code.
MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.footnotes": {"BACKLINK_TITLE": "Zurück zum Text (Fußnote %d)"},
        "markdown.extensions.tables": {},
        "markdown.extensions.sane_lists": {},
        # python-markdown's smarty (German quotes, dashes, ellipses), quicker: same HTML.
        "blog_extras.typography": {
            "substitutions": {
                "left-double-quote": "&bdquo;", "right-double-quote": "&ldquo;",
                "left-single-quote": "&sbquo;", "right-single-quote": "&lsquo;",
            }
        },
    },
    "output_format": "html5",
}
FORMATTED_FIELDS = ["summary"]
SUMMARY_MAX_LENGTH = 40

# --- Plugins, in run order ---------------------------------------------------------------
PLUGIN_PATHS = ["plugins"]
PLUGINS = [
    "post_sanitizer",
    # After post_sanitizer: caches what its readers return; re-renders only changed pages.
    "rebuild_cache",
    "image_variants",
    "blog_extras",
    "group_directory",
    "internal_links",
    "site_feeds",
    "pelican.plugins.sitemap",
    # Last: indexes the finished site with Pagefind (offline full-text search, suche/).
    "offline_search",
]
SITEMAP = {
    "format": "xml",
    "exclude": [r"^404\.html$", r"(^|/)seite/\d+/$"],
}

# --- Writing and preview -----------------------------------------------------------------
RELATIVE_URLS = True
LOAD_CONTENT_CACHE = False
DELETE_OUTPUT_DIRECTORY = False

# --- Navigation (label, URL relative to the site root) -----------------------------------
MENU = [
    ("Gruppen finden", "gruppen/"),
    ("Beiträge", "archiv/"),
    ("Über uns", "ueber-uns/"),
    ("Kontakt", "kontakt/"),
    ("Leichte Sprache", "leichte-sprache/"),
    ("Suche", "suche/"),
]
FOOTER_LINKS = [
    ("Hilfe in Krisen", "hilfe-in-krisen/"),
    ("Impressum", "impressum/"),
    ("Datenschutz", "datenschutz/"),
    ("Erklärung zur Barrierefreiheit", "barrierefreiheit/"),
    ("Schlagwörter", "schlagwort/"),
    ("Autorinnen und Autoren", "autorinnen-und-autoren/"),
    ("Feed (Atom)", "feeds/alle.atom.xml"),
]
HOME_ENTRY_POINTS = [
    ("Eine Selbsthilfegruppe finden", "gruppen/",
     "Gruppen nach Thema, Ort und Form – vor Ort und online."),
    ("Kontakt aufnehmen", "kontakt/", "Wir beraten Sie vertraulich und auf Wunsch anonym."),
    ("Erfahrungsberichte lesen", "kategorie/erfahrungsberichte/",
     "Menschen aus den Gruppen erzählen, was ihnen geholfen hat."),
    ("In Leichter Sprache", "leichte-sprache/", "Was ist eine Selbsthilfe-Gruppe?"),
]

# Sent as a meta tag on every page; deploy/ has the same policy as real HTTP headers.
# No 'unsafe-inline': the theme has no inline script or style. The search page (suche/)
# adds 'wasm-unsafe-eval' to script-src for Pagefind (OFFLINE_SEARCH_CSP, offline_search).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "font-src 'self'; connect-src 'self'; media-src 'self'; object-src 'none'; "
    "frame-src 'none'; base-uri 'none'; form-action 'self'"
)
