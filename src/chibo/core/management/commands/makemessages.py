"""makemessages as chibo runs it: ``chibo makemessages -l en`` (from any directory: it reads the chibo package).

Vietnamese is the source language, so English is the only catalogue built from the sources: the Vietnamese one holds
allauth's strings only and is kept by hand (its header says how). Python files are read as well as templates, so a
string wrapped in gettext, gettext_lazy or gettext_noop (a choice label shown translated by its page) keeps its
English entry. A new or changed Vietnamese string gets an empty entry, never a guessed (fuzzy) one, and tests are
not read.
"""

import os
from pathlib import Path

from django.core.management.base import CommandError
from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
    # ``_t``: gettext where ``_`` already names gettext_lazy (the timeline events' summaries); ``said`` and
    # ``said_term``: what services say in deadlines and notifications (``core.said``).
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_t", "--keyword=said",
                        "--keyword=said_term"]

    def handle(self, *args, **options):
        if options.get("all") or "vi" in (options.get("locale") or []):
            raise CommandError("Chỉ tạo danh mục tiếng Anh (-l en); danh mục tiếng Việt giữ bằng tay.")
        options["ignore_patterns"] = [*(options.get("ignore_patterns") or []), "tests", "*/tests/*"]
        here = Path.cwd()
        os.chdir(Path(__file__).resolve().parents[3])  # src/chibo: the references read "app/file.py:line"
        try:
            return super().handle(*args, **options)
        finally:
            os.chdir(here)
