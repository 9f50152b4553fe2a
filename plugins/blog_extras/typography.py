"""Typographic quotes, dashes and ellipses: python-markdown's smarty, minus its idle work.

    MARKDOWN = {"extension_configs": {"blog_extras.typography": {"substitutions": {…}}}}

takes the same options as "markdown.extensions.smarty" and gives the same HTML (pinned by
tests/test_blog_extras.py against smarty itself). Smarty runs a second inline pass with 18
patterns (20 with angle quotes) over every piece of text, and each pattern costs a Python call
even where it cannot match: that doubled Markdown's time per post. Every one of its patterns needs a
straight quote, two hyphens, three dots or a doubled angle bracket, so a piece of text with
none of them is left as it is, which is what smarty would do with it too.
"""

from __future__ import annotations

import re

from markdown.extensions.smarty import SmartyExtension
from markdown.treeprocessors import InlineProcessor
from markdown.util import AtomicString

#: Every one of smarty's patterns contains one of these literally (a straight quote, two
#: hyphens, three dots, a doubled angle bracket), so a text without them matches none.
#: tests/test_blog_extras.py pins the list of smarty's patterns this was checked against.
NEEDED_BY_SOME_PATTERN = re.compile(r"['\"]|--|\.\.\.|<<|>>")


class TextWithoutMarksProcessor(InlineProcessor):
    """Smarty's inline pass, skipping texts none of its patterns can match."""

    # python-markdown calls this (private) method for each element's text and tail; if a
    # newer version stops calling it, smarty's own pass runs: slower, with the same result.
    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        # An AtomicString goes to smarty's pass as before, which leaves it as it is.
        if not isinstance(data, AtomicString) and NEEDED_BY_SOME_PATTERN.search(data) is None:
            return data
        return super()._InlineProcessor__handleInline(data, patternIndex)


class TypographyExtension(SmartyExtension):
    def extendMarkdown(self, md) -> None:
        super().extendMarkdown(md)
        quicker = TextWithoutMarksProcessor(md)
        quicker.inlinePatterns = self.inlinePatterns
        md.treeprocessors.register(quicker, "smarty", 6)  # replaces smarty's own pass


def makeExtension(**kwargs) -> TypographyExtension:  # noqa: N802 - python-markdown's name
    return TypographyExtension(**kwargs)
