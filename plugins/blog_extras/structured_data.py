"""schema.org JSON-LD as plain dicts; templates print them with Jinja's |tojson, which
escapes <, > and & so that no string can end the <script> block."""

from __future__ import annotations

from typing import Any

from .texts import strip_tags


def plain(html: str) -> str:
    return strip_tags(html)


def absolute(settings: dict, url: str) -> str:
    return f"{settings.get('SITEURL', '')}/{url}"


def organization(settings: dict) -> dict[str, Any]:
    contact = settings.get("CONTACT_POINT", {})
    return {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": settings.get("SITENAME", ""),
        "url": absolute(settings, ""),
        "description": settings.get("SITE_DESCRIPTION", ""),
        "email": contact.get("email"),
        "telephone": contact.get("phone"),
        "address": {
            "@type": "PostalAddress",
            "streetAddress": contact.get("street"),
            "postalCode": contact.get("postal_code"),
            "addressLocality": contact.get("town"),
            "addressCountry": "DE",
        },
    }


def blog_posting(article: Any, settings: dict) -> dict[str, Any]:
    data = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": plain(article.title),
        "description": plain(getattr(article, "summary", "")),
        "datePublished": article.date.isoformat(),
        "dateModified": getattr(article, "modified", article.date).isoformat(),
        "inLanguage": "de",
        "url": absolute(settings, article.url),
        "author": [{"@type": "Person", "name": plain(str(a))} for a in article.authors],
        "articleSection": plain(str(article.category)),
        "keywords": [plain(str(tag)) for tag in getattr(article, "tags", None) or ()],
        "publisher": {"@type": "Organization", "name": settings.get("SITENAME", "")},
    }
    return data
