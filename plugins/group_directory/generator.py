"""The Pelican generator of the group directory: reads the table, links posts, writes pages.

generate_context() reads and validates the data (every problem logged as an error, so the
publish build reports them together with all other problems of the run and fails) and
puts `groups` (the listed groups, A–Z) and `group_directory` (all indexes) into the shared
context, so any template can use them. generate_output() writes every HTML page with
writer.write_file (so the sitemap plugin sees them) and the calendar, JSON and feed files.
"""

from __future__ import annotations

import logging
import os
import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from jinja2.utils import htmlsafe_json_dumps
from pelican.generators import Generator
from pelican.utils import sanitised_join

from sitetools.entry_store import close_stores_under

from . import report
from .calendar_file import CalendarJob, CalendarWriter
from .defaults import plugin_settings, renamed_settings
from .errors import Problem
from .exports import (
    ContactPoint,
    absolute,
    group_jsonld,
    json_export,
    new_groups_feed,
    phone_href,
)
from .facets import Directory, Urls, build_directory, reserved_slugs
from .model import Group
from .posts import link_posts
from .reader import read_file
from .sanitize import SiteCleaner, load_policy
from .schedule import describe, meetings
from .workers import worker_count

logger = logging.getLogger(__name__)


def contact_note(group: Group, contact: ContactPoint) -> str:
    """How to reach the group, for its calendar entry."""
    if group.contact_public and (group.email or group.phone):
        return "Kontakt zur Gruppe: " + ", ".join(x for x in (group.email, group.phone) if x)
    return f"Kontakt über die {contact.name}: Telefon {contact.phone}, E-Mail {contact.email}"


def reference_date(value: Any, tzid: str) -> date:
    """GROUP_DIRECTORY_TODAY as a date; None means today in the site's time zone."""
    if value is None or value == "":
        return datetime.now(ZoneInfo(tzid)).date()
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def report_problems(problems: list[Problem]) -> None:
    """Log each problem as an error instead of raising: the rest of the build still runs, so
    editors see the table's problems together with every other problem of the run."""
    for problem in problems:
        logger.error("%s", problem)


class GroupDirectoryGenerator(Generator):
    """Builds the group directory from GROUP_DIRECTORY_DATA (see defaults.py)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options = plugin_settings(self.settings)
        for message in renamed_settings(self.settings):
            logger.error("%s", message)
        self.urls = Urls(self.options)
        self.tzid = self.settings.get("TIMEZONE") or "Europe/Berlin"
        self.today = reference_date(self.options["GROUP_DIRECTORY_TODAY"], self.tzid)
        self.site_url = self.settings.get("SITEURL", "")
        self.workers = worker_count(self.options["GROUP_DIRECTORY_WORKERS"])
        self.directory: Directory | None = None
        self.posts_by_group: dict[str, list[Any]] = {}
        self.warning_count = 0
        self.stale_count = 0
        self.hidden_count = 0
        self.env.filters.update(group_schedule=describe, group_tel=phone_href)
        # Each build makes a new generator (and environment), so compiled templates never
        # go stale within one; without this, Jinja stats every template file again on each
        # include, tens of thousands of times for the lists of a large directory.
        self.env.auto_reload = False

    # --- Reading -----------------------------------------------------------------------------

    @property
    def data_path(self) -> Path:
        return Path(self.path) / self.options["GROUP_DIRECTORY_DATA"]

    def display_path(self, path: Path | str) -> str:
        """Paths as editors know them: content/gruppen/gruppen.csv."""
        return os.path.relpath(path, Path(self.path).resolve().parent)

    def generate_context(self) -> None:
        if not self.data_path.is_file():
            logger.debug("group_directory: %s not found, no directory built", self.data_path)
            return
        host = urlsplit(self.site_url).hostname or ""
        cleaner = SiteCleaner(load_policy(), self.settings.get("MARKDOWN"), host,
                              self.settings.get("POST_SANITIZER_BACKEND"), workers=self.workers,
                              parallel_from=self.options["GROUP_DIRECTORY_PARALLEL_FROM"],
                              cache_folder=self.cache_folder("descriptions"))
        if cleaner.uses_fallback:
            logger.warning("Gruppenverzeichnis: Die Bereinigung (post_sanitizer) fehlt; "
                           "Beschreibungen erscheinen als einfacher Text ohne Formatierung.")
        result = read_file(
            self.data_path, self.display_path(self.data_path), cleaner=cleaner,
            today=self.today, reserved=reserved_slugs(self.urls),
            stale_months=self.options["GROUP_DIRECTORY_STALE_MONTHS"])
        for warning in result.warnings:
            logger.warning("%s", warning)
        if result.problems:
            report_problems(result.problems)
            return
        cleaner.tidy_cache()
        self.warning_count = len(result.warnings)
        self.stale_count = len(result.stale)
        self.hidden_count = len(result.hidden)

        directory = build_directory(result.groups, self.urls)
        self.posts_by_group, problems, warnings = link_posts(
            self.context, directory.by_slug, result.hidden, self.display_path)
        for warning in warnings:
            logger.warning("%s", warning)
        self.warning_count += len(warnings)
        if problems:
            report_problems(problems)
            return
        self.directory = directory
        for name, value in self.options.items():  # GROUP_DIRECTORY_GROUPS_URL … for templates
            self.context.setdefault(name, value)
        self.context["groups"] = directory.listed
        self.context["group_directory"] = directory

    # --- Writing -----------------------------------------------------------------------------

    def generate_output(self, writer: Any) -> None:
        directory = self.directory
        if directory is None:
            return
        contact = self.contact_point()
        with self.calendar_writer(directory, contact):  # in parallel with the pages
            self.write_pages(writer)
        urls = self.urls
        self.write_bytes(urls.save_as("GROUPS_JSON"), json_export(
            directory.listed, site_url=self.site_url, sitename=self.settings["SITENAME"],
            contact=contact, reference=self.today))
        self.write_bytes(urls.save_as("NEW_GROUPS_FEED"), new_groups_feed(
            directory.new_groups, site_url=self.site_url,
            feed_url=urls.url("NEW_GROUPS_FEED"), page_url=urls.url("NEW_GROUPS"),
            title=f"{self.settings['SITENAME']}: Neue Gruppen",
            subtitle="Selbsthilfegruppen in Gründung – Mitstreiterinnen und Mitstreiter "
                     "gesucht", reference=self.today, tzid=self.tzid))
        self.report(directory)

    def contact_point(self) -> ContactPoint:
        return ContactPoint.from_settings(
            self.settings, absolute(self.site_url, self.options["GROUP_DIRECTORY_CONTACT_PAGE"]))

    def write_pages(self, writer: Any) -> None:
        """Every page rendered from a template, through `writer.write_file` only (no other
        files), so rebuild_cache can render them ahead in a helper process."""
        directory = self.directory
        if directory is None:
            return
        contact = self.contact_point()

        def write(save_as: str, template: str, page_url: str, **variables: Any) -> None:
            writer.write_file(save_as, self.get_template(template), self.context,
                              relative_urls=self.settings.get("RELATIVE_URLS", False),
                              page_url=page_url, group_today=self.today, **variables)

        urls = self.urls
        write(urls.save_as("GROUPS"), "groups", urls.url("GROUPS"),
              current_menu_url=urls.url("GROUPS"))
        write(urls.save_as("GROUPS_AZ"), "groups_az", urls.url("GROUPS_AZ"),
              groups=directory.listed)
        write(urls.save_as("NEW_GROUPS"), "groups_new", urls.url("NEW_GROUPS"),
              groups=directory.new_groups)
        for kind, template, facets in (("TOPIC", "groups_topic", directory.topics),
                                       ("PLACE", "groups_place", directory.places),
                                       ("FORM", "groups_form", directory.forms),
                                       ("AUDIENCE", "groups_audience", directory.audiences)):
            for facet in facets:
                write(facet.save_as, template, facet.term.url, facet=facet,
                      groups=facet.groups)

        count = self.options["GROUP_DIRECTORY_NEXT_DATES"]
        related_limit = self.options["GROUP_DIRECTORY_RELATED_GROUPS"]
        zone = ZoneInfo(self.tzid)
        # A group page links the index pages of its form and audience: their terms, not the
        # whole directory, so that one changed group does not render every group page again
        # (rebuild_cache keys a page by the variables its template names).
        form_terms = tuple(facet.term for facet in directory.forms)
        audience_terms = tuple(facet.term for facet in directory.audiences)
        for group in directory.pages:
            upcoming = (meetings(group.schedule, self.today, count, zone)
                        if group.meets else [])
            write(group.save_as, "group", group.url, group=group,
                  form_terms=form_terms, audience_terms=audience_terms,
                  group_posts=self.posts_by_group.get(group.slug, []),
                  related_groups=(directory.related_active(group, related_limit)
                                  if not group.is_listed else []),
                  meetings=upcoming,
                  # As text, as `|tojson` would write it: the render cache digests a
                  # string far faster than the nested dict on each of the group pages.
                  group_jsonld=htmlsafe_json_dumps(
                      group_jsonld(group, site_url=self.site_url, contact=contact,
                                   meetings=upcoming, tzid=self.tzid), sort_keys=True))

    def calendar_writer(self, directory: Directory, contact: ContactPoint) -> CalendarWriter:
        jobs = [
            CalendarJob(sanitised_join(self.output_path,
                                       self.urls.save_as("GROUP_CALENDAR", group.slug)),
                        group, absolute(self.site_url, group.url), contact_note(group, contact))
            for group in directory.pages if group.calendar_url]
        return CalendarWriter(jobs, host=urlsplit(self.site_url).hostname or "localhost",
                              tzid=self.tzid, today=self.today, workers=self.workers,
                              parallel_from=self.options["GROUP_DIRECTORY_PARALLEL_FROM"],
                              cache_folder=self.calendar_cache_folder())

    def cache_folder(self, name: str) -> Path | None:
        """CACHE_PATH/group_directory/<name>, never inside content/."""
        folder = Path(self.settings.get("CACHE_PATH") or "cache").resolve() / "group_directory"
        return None if folder.is_relative_to(Path(self.path).resolve()) else folder / name

    def calendar_cache_folder(self) -> str | None:
        """Calendars of earlier builds of the same day (the files depend on the date); other
        days' folders are removed."""
        calendars = self.cache_folder("calendars")
        if calendars is None:
            return None
        if calendars.is_dir():
            for old in calendars.iterdir():
                if old.name != self.today.isoformat():
                    close_stores_under(old)  # this process's connection, if any
                    shutil.rmtree(old, ignore_errors=True)
        return str(calendars / self.today.isoformat())

    def write_bytes(self, save_as: str, data: bytes) -> None:
        if not save_as:
            return
        path = sanitised_join(self.output_path, save_as)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(data)

    # --- The editors' summary ------------------------------------------------------------------

    def report(self, directory: Directory) -> None:
        counts = directory.counts
        state_path = (Path(self.settings.get("CACHE_PATH") or "cache")
                      / self.options["GROUP_DIRECTORY_STATE_FILE"])
        current = [group.slug for group in directory.listed]
        summary = report.Summary(
            published=counts["listed"], founding=counts["founding"], paused=counts["paused"],
            ended=counts["ended"], new=report.new_since(report.load_previous(state_path), current),
            stale=self.stale_count, stale_months=self.options["GROUP_DIRECTORY_STALE_MONTHS"],
            warnings=self.warning_count, unpublished=self.hidden_count)
        print(summary.text(), flush=True)
        try:
            report.save_current(state_path, current)
        except OSError as error:
            logger.warning("Gruppenverzeichnis: Stand für den nächsten Vergleich konnte nicht "
                           "gespeichert werden (%s): %s", state_path, error)

