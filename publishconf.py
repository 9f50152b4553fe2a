"""Settings for the real site, used by `python3 make.py publish`."""

from __future__ import annotations

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: E402,F403

# Change this to the contact point's own address before the first upload.
SITEURL = "https://www.selbsthilfe-beispielstadt.example"
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = True

# Drafts are not written anywhere, not even under drafts/.
DRAFT_SAVE_AS = ""
DRAFT_LANG_SAVE_AS = ""
DRAFT_PAGE_SAVE_AS = ""
DRAFT_PAGE_LANG_SAVE_AS = ""
