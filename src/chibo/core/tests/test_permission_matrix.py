"""The permission matrix: every URL of the project × every persona (design.md, "Testing").

Every route the project serves (walked from the root URLconf: pages, the API under /api/v1/, the
OpenAPI schema, allauth's /accounts/… routes, i18n, the health check) must have an entry in
``MATRIX``; a new route without one fails ``test_every_route_has_a_matrix_entry`` and an entry for a
route that no longer exists fails ``test_matrix_has_no_stale_entries``.

chibo's own routes carry the exact answer each persona gets to a GET, per target object built from
the demo organization. The rules the table encodes:

- an object outside the persona's scope answers 404, never 403 (no existence leak);
- a visible object the persona may not change answers 403 on its edit forms;
- anonymous visitors are sent (302) to /accounts/login/ from pages and get 401 from the API.

Third-party routes (allauth's account and MFA pages) are grouped under a prefix rule and checked
loosely: never a server error; anonymous visitors get the page or the login page.

``WRITES`` does the same for POST/PATCH/DELETE: the exact status per persona and, for every refused
request, that nothing was written (member/unit versions, posts, timelines, audit chain unchanged);
for every accepted one, that something was (so the payloads are known to be valid).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern
from django.utils import timezone

from chibo.core.said import said

PERSONAS = ("ban.tochuc", "ub.kiemtra", "bithu.phap", "bithu.duc", "dangvien.phap", "ungvien.phap", "anonymous")
LOGIN_URL = "/accounts/login/"

# Expected answers besides plain status codes.
LOGIN = "302→login"       # redirected to /accounts/login/?next=…
OWN = "302→own record"    # redirected to the persona's own member page
HOME = "302→/"            # redirected to the front page
DONE = "302→done"         # the write went through: redirected to a result page (not the login page)
SHOWN = "200+written"     # the write went through and the page shows its result once (a new API token)
READ = "200, read only"   # a POST that only answers a question (a ballot receipt check): 200, nothing written
LOOSE = "third-party"     # prefix rule: never 5xx; anonymous gets 200 or the login page


def E(*answers):
    """One row of the matrix, in the order of PERSONAS."""
    assert len(answers) == len(PERSONAS), answers
    return answers


# Routes of these third-party modules may be grouped by a prefix rule ("prefix*" keys in MATRIX);
# anything else under the prefix (a chibo view mounted there) still needs an exact entry.
THIRD_PARTY_MODULES = ("allauth.",)

# Target names (demo objects, see ``targets``): unit_*, member_*, post_*. A target starting with "?"
# is a query string for a route without URL arguments, formatted with the targets' primary keys.
#
#                                ban.tochuc ub.kiemtra bithu.phap bithu.duc dangvien ungvien anonymous
UNIT_PAGE = {
    "unit_root":      E(200, 200, 404, 404, 404, 404, LOGIN),
    "unit_fr":        E(200, 200, 200, 404, 404, 404, LOGIN),
    "unit_fr_dsq":    E(200, 200, 200, 404, 200, 404, LOGIN),   # dangvien.phap's own cell
    "unit_fr_lhs":    E(200, 200, 200, 404, 404, 404, LOGIN),
    "unit_de":        E(200, 200, 404, 200, 404, 404, LOGIN),
    "unit_de_cell":   E(200, 200, 404, 200, 404, 404, LOGIN),
    "unit_us":        E(200, 200, 404, 404, 404, 404, LOGIN),
    "unit_closed":    E(200, 200, 404, 404, 404, 404, LOGIN),
    "unit_missing":   E(404, 404, 404, 404, 404, 404, LOGIN),
}
UNIT_WRITE_FORM = {  # units.edit / posts.edit: organization officers only
    "unit_root":      E(200, 403, 404, 404, 404, 404, LOGIN),
    "unit_fr":        E(200, 403, 403, 404, 404, 404, LOGIN),
    "unit_fr_dsq":    E(200, 403, 403, 404, 403, 404, LOGIN),
    "unit_de":        E(200, 403, 404, 403, 404, 404, LOGIN),
    "unit_us":        E(200, 403, 404, 404, 404, 404, LOGIN),
    "unit_missing":   E(404, 404, 404, 404, 404, 404, LOGIN),
}
MEMBER_PAGE = {
    "member_own":     E(200, 200, 200, 404, 200, 404, LOGIN),   # dangvien.phap's own record
    "member_fr_dsq":  E(200, 200, 200, 404, 404, 404, LOGIN),   # a cell mate of dangvien.phap
    "member_fr":      E(200, 200, 200, 404, 404, 404, LOGIN),
    "member_phap":    E(200, 200, 200, 404, 404, 404, LOGIN),   # bithu.phap's own record
    "member_de":      E(200, 200, 404, 200, 404, 404, LOGIN),
    "member_us":      E(200, 200, 404, 404, 404, 404, LOGIN),
    "member_missing": E(404, 404, 404, 404, 404, 404, LOGIN),
}
MEMBER_WRITE_FORM = {  # members.edit / members.status: officers and the secretaries of the subtree
    "member_own":     E(200, 403, 200, 404, 403, 404, LOGIN),
    "member_fr":      E(200, 403, 200, 404, 404, 404, LOGIN),
    "member_de":      E(200, 403, 404, 200, 404, 404, LOGIN),
    "member_us":      E(200, 403, 404, 404, 404, 404, LOGIN),
    "member_missing": E(404, 404, 404, 404, 404, 404, LOGIN),
}
DEADLINE_PAGE = {  # deadlines of a member, seen through the scope of the member's unit (and by the member)
    "deadline_own":     E(200, 200, 200, 404, 200, 404, LOGIN),   # dangvien.phap's own obligation
    "deadline_fr":      E(200, 200, 200, 404, 404, 404, LOGIN),
    "deadline_de":      E(200, 200, 404, 200, 404, 404, LOGIN),
    "deadline_us":      E(200, 200, 404, 404, 404, 404, LOGIN),
    "deadline_missing": E(404, 404, 404, 404, 404, 404, LOGIN),
}
ADMISSION_CASE_PAGE = {  # admission cases, seen through the scope of the case's cell (applicants: /dossier/)
    "case_fr":          E(200, 200, 200, 404, 404, 404, LOGIN),   # ungvien.phap's case in PHAP-DSQ
    "case_de":          E(200, 200, 404, 200, 404, 404, LOGIN),
    "case_missing":     E(404, 404, 404, 404, 404, 404, LOGIN),
}
DEADLINE_POST_ONLY = {  # the waive / explain actions: POST only, whatever the target
    "deadline_fr":      E(405, 405, 405, 405, 405, 405, LOGIN),
    "deadline_missing": E(405, 405, 405, 405, 405, 405, LOGIN),
}


TRANSFER_PAGE = {
    "transfer_own":     E(200, 200, 200, 404, 200, 404, LOGIN),   # dangvien.phap's own transfer
    "transfer_fr":      E(200, 200, 200, 404, 404, 404, LOGIN),
    "transfer_de":      E(200, 200, 404, 200, 404, 404, LOGIN),
    "transfer_missing": E(404, 404, 404, 404, 404, 404, LOGIN),
}
SELF_OR_STAFF = {  # the member files their own (self-review, trip, declaration); or the cell for them
    "member_own":     E(200, 403, 200, 404, 200, 404, LOGIN),
    "member_fr":      E(200, 403, 200, 404, 404, 404, LOGIN),
    "member_de":      E(200, 403, 404, 200, 404, 404, LOGIN),
    "member_missing": E(404, 404, 404, 404, 404, 404, LOGIN),
}
DECISION_FILE = {
    kind: {
        f"{kind}_decided_own": E(200, 200, 200, 404, 200, 404, LOGIN),   # dangvien.phap's own
        f"{kind}_decided_de":  E(200, 200, 404, 200, 404, 404, LOGIN),
        f"{kind}_own":         E(404, 404, 404, 404, 404, 404, LOGIN),   # not decided yet
        f"{kind}_missing":     E(404, 404, 404, 404, 404, 404, LOGIN),
    } for kind in ("trip", "declaration")
}
LETTER_PAGE = {
    "letter_own":     E(200, 200, 200, 404, 200, 404, LOGIN),
    "letter_fr":      E(200, 200, 200, 404, 404, 404, LOGIN),
    "letter_de":      E(200, 200, 404, 200, 404, 404, LOGIN),
    "letter_missing": E(404, 404, 404, 404, 404, 404, LOGIN),
}


DUES_UNIT = {  # a unit's dues: dues.view on it (a member sees the unit's page, not its dues)
    "unit_fr_dsq":    E(200, 200, 200, 404, 404, 404, LOGIN),
    "unit_de_cell":   E(200, 200, 404, 200, 404, 404, LOGIN),
    "unit_missing":   E(404, 404, 404, 404, 404, 404, LOGIN),
}
DUES_ENTRY = {  # a receipt: the member and the staff of the unit
    "entry_own":      E(200, 200, 200, 404, 200, 404, LOGIN),
    "entry_de":       E(200, 200, 404, 200, 404, 404, LOGIN),
    "entry_missing":  E(404, 404, 404, 404, 404, 404, LOGIN),
}
DUES_REMITTANCE = {  # the staff of the sending or the receiving unit
    "remit_fr_dsq":   E(200, 200, 200, 404, 404, 404, LOGIN),
    "remit_de":       E(200, 200, 404, 200, 404, 404, LOGIN),
    "remit_missing":  E(404, 404, 404, 404, 404, 404, LOGIN),
}


GRADING_PERIOD = {  # staff with grading.view on the period's unit or on a unit holding one of its reviews
    "period_root":    E(200, 200, 200, 200, 404, 404, LOGIN),
    "period_de":      E(200, 200, 404, 200, 404, 404, LOGIN),
    "period_missing": E(404, 404, 404, 404, 404, 404, LOGIN),
}
GRADING_REVIEW = {  # the member themself and the staff of their cell's subtree
    "grading_review_own":     E(200, 200, 200, 404, 200, 404, LOGIN),
    "grading_review_de":      E(200, 200, 404, 200, 404, 404, LOGIN),
    "grading_review_missing": E(404, 404, 404, 404, 404, 404, LOGIN),
}
GRADING_UNIT_REVIEW = {
    "unit_review_fr_dsq":  E(200, 200, 200, 404, 404, 404, LOGIN),
    "unit_review_de":      E(200, 200, 404, 200, 404, 404, LOGIN),
    "unit_review_missing": E(404, 404, 404, 404, 404, 404, LOGIN),
}


STUDY_SESSION = {  # meetings.view on the cell or above, and the members of the cell
    "session_fr":      E(200, 200, 200, 404, 200, 404, LOGIN),
    "session_de":      E(200, 200, 404, 200, 404, 404, LOGIN),
    "session_missing": E(404, 404, 404, 404, 404, 404, LOGIN),
}
STUDY_REFLECTION = {  # its author and the cell's own committee (no persona holds a grant on PHAP-DSQ itself)
    "reflection_own":     E(404, 404, 404, 404, 200, 404, LOGIN),
    "reflection_missing": E(404, 404, 404, 404, 404, 404, LOGIN),
}
STUDY_CERTIFICATE = {  # like the person's record: members.view on their unit, or the member themself
    "cert_own":     E(200, 200, 200, 404, 200, 404, LOGIN),
    "cert_de":      E(200, 200, 404, 200, 404, 404, LOGIN),
    "cert_missing": E(404, 404, 404, 404, 404, 404, LOGIN),
}
DISCIPLINE_CASE = {  # need to know: the deciding committee itself and the member concerned, nobody else
    "dcase_own":     E(404, 404, 200, 404, 200, 404, LOGIN),
    "dcase_fr":      E(404, 404, 200, 404, 404, 404, LOGIN),
    "dcase_de":      E(404, 404, 404, 200, 404, 404, LOGIN),
    "dcase_missing": E(404, 404, 404, 404, 404, 404, LOGIN),
}
DISCIPLINE_NOTICE = {  # need to know: the organization it was sent to, who recorded it and the member concerned
    "dnotice_own":     E(404, 404, 200, 404, 200, 404, LOGIN),
    "dnotice_missing": E(404, 404, 404, 404, 404, 404, LOGIN),
}
INSPECTION_PLAN = {  # inspection.view on the plan's committee or above
    "plan_fr":       E(200, 200, 200, 404, 404, 404, LOGIN),
    "plan_fr_sup":   E(200, 200, 200, 404, 404, 404, LOGIN),
    "plan_de":       E(200, 200, 404, 200, 404, 404, LOGIN),
    "plan_missing":  E(404, 404, 404, 404, 404, 404, LOGIN),
}
INSPECTION_CASE = {  # need to know: the team, the inspecting committee itself, the subject; nobody else
    "icase_own":     E(404, 404, 200, 404, 200, 404, LOGIN),
    "icase_explained": E(404, 200, 200, 404, 200, 404, LOGIN),  # ub.kiemtra (the level above) on its team
    "icase_de":      E(404, 404, 404, 200, 404, 404, LOGIN),
    "icase_missing": E(404, 404, 404, 404, 404, 404, LOGIN),
}
LIBRARY_DOCUMENT = {  # addressed to the persona, or library.view / library.send on the sender or a unit addressed
    "doc_fr":        E(200, 200, 200, 404, 200, 404, LOGIN),   # the upper committee's resolution to France
    "doc_de":        E(200, 200, 404, 200, 404, 404, LOGIN),   # Germany's document to its cell
    "doc_missing":   E(404, 404, 404, 404, 404, 404, LOGIN),
}
LIBRARY_FILE = {  # a version's file by its own id: the scope of its document
    "file_fr":       E(200, 200, 200, 404, 200, 404, LOGIN),
    "file_de":       E(200, 200, 404, 200, 404, 404, LOGIN),
    "file_missing":  E(404, 404, 404, 404, 404, 404, LOGIN),
}
LIBRARY_ENTRY = {  # library.secret on the unit or above, the custodian, a member a hand-over names
    "classified_fr": E(200, 404, 200, 404, 200, 404, LOGIN),   # handed over to dangvien.phap
    "classified_de": E(200, 404, 404, 200, 404, 404, LOGIN),
    "classified_missing": E(404, 404, 404, 404, 404, 404, LOGIN),
}

PRIVACY_REQUEST = {  # the person themself and the officers in charge of their unit (privacy.handle)
    "preq_own":      E(200, 404, 200, 404, 200, 404, LOGIN),
    "preq_missing":  E(404, 404, 404, 404, 404, 404, LOGIN),
}
PRIVACY_BREACH = {  # the breach register: the top organization's officers only
    "breach_top":     E(200, 404, 404, 404, 404, 404, LOGIN),
    "breach_missing": E(404, 404, 404, 404, 404, 404, LOGIN),
}


PROGRAM_PAGE = {  # meetings.view on the program's unit or above
    "program_root":    E(200, 200, 404, 404, 404, 404, LOGIN),
    "program_fr":      E(200, 200, 200, 404, 404, 404, LOGIN),
    "program_de":      E(200, 200, 404, 200, 404, 404, LOGIN),
    "program_missing": E(404, 404, 404, 404, 404, 404, LOGIN),
}
PROGRAM_ITEM = {
    "pitem_root":   E(200, 200, 404, 404, 404, 404, LOGIN),
    "pitem_fr":     E(200, 200, 200, 404, 404, 404, LOGIN),
    "pitem_de":     E(200, 200, 404, 200, 404, 404, LOGIN),
    "pitem_missing": E(404, 404, 404, 404, 404, 404, LOGIN),
}
PROPOSAL_PAGE = {  # the raising unit's readers, the committee it is addressed to among them
    "proposal_fr":      E(200, 200, 200, 404, 404, 404, LOGIN),
    "proposal_missing": E(404, 404, 404, 404, 404, 404, LOGIN),
}


REPORT_PAGE = {  # units.view on the report's unit or above
    "report_fr":       E(200, 200, 200, 404, 404, 404, LOGIN),
    "report_missing":  E(404, 404, 404, 404, 404, 404, LOGIN),
}
REPORT_TEMPLATE_PAGE = {  # the installation's default for everyone; a committee's in its subtree
    "template_root":    E(200, 200, 404, 404, 404, 404, LOGIN),
    "template_default": E(200, 200, 200, 200, 200, 200, LOGIN),
    "template_missing": E(404, 404, 404, 404, 404, 404, LOGIN),
}
REPORT_LEVEL = {  # a committee's board and roll-up: units.view on it
    "?unit={unit_fr}":   E(200, 200, 200, 404, 404, 404, LOGIN),
    "?unit={unit_root}": E(200, 200, 404, 404, 404, 404, LOGIN),
}


def api(rows):
    """The same rows for the API: anonymous gets 401 instead of the login page."""
    return {target: tuple(401 if a == LOGIN else a for a in row) for target, row in rows.items()}


STATS_PAGE = {
    None:                           E(200, 200, 200, 200, 404, 404, LOGIN),   # the top of the persona's scope
    "?unit={unit_root}":            E(200, 200, 404, 404, 404, 404, LOGIN),
    "?unit={unit_fr}&year_from=2020": E(200, 200, 200, 404, 404, 404, LOGIN),
    "?unit={unit_de}":              E(200, 200, 404, 200, 404, 404, LOGIN),
    "?unit={unit_missing}":         E(404, 404, 404, 404, 404, 404, LOGIN),
    "?year_to=2999":                E(400, 400, 400, 400, 404, 404, LOGIN),
}


MATRIX: dict[str, object] = {
    # -- pages ---------------------------------------------------------------------------------
    "dashboard":          {None: E(200, 200, 200, 200, 200, 200, LOGIN)},
    "help_processes":     {None: E(200, 200, 200, 200, 200, 200, LOGIN)},
    "help":               {None: E(200, 200, 200, 200, 200, 200, LOGIN)},
    "help_glossary":      {None: E(200, 200, 200, 200, 200, 200, LOGIN)},
    "help_guide":         {"guide_member": E(200, 200, 200, 200, 200, 200, LOGIN),
                           "guide_unknown": E(404, 404, 404, 404, 404, 404, LOGIN)},
    # the roster to print: whoever sees the unit's members (members.view), 404 otherwise
    "roster": {
        "unit_root":        E(200, 200, 404, 404, 404, 404, LOGIN),
        "unit_fr_dsq":      E(200, 200, 200, 404, 404, 404, LOGIN),
        "unit_de_cell":     E(200, 200, 404, 200, 404, 404, LOGIN),
        "unit_missing":     E(404, 404, 404, 404, 404, 404, LOGIN),
    },
    "healthz":            {None: E(200, 200, 200, 200, 200, 200, 200)},
    "library_sw":         {None: E(200, 200, 200, 200, 200, 200, 200)},  # the offline reader: static, no data
    "audit_log":          {None: E(200, 200, 404, 404, 404, 404, LOGIN)},
    "api_audit_log":      {None: E(200, 200, 404, 404, 404, 404, 401)},
    # statistics of a subtree: whoever sees its members (members.view), 404 otherwise; a year in the future 400
    "stats:page":         STATS_PAGE,
    "stats:xlsx":         STATS_PAGE,
    "api_stats":          api(STATS_PAGE),
    "my_dossier":         {None: E(404, 404, 404, 404, 404, 200, LOGIN)},
    "admission:board": {
        None:                         E(200, 200, 200, 200, 404, 404, LOGIN),
        "?unit={unit_fr}":            E(200, 200, 200, 404, 404, 404, LOGIN),
        "?unit={unit_de}":            E(200, 200, 404, 200, 404, 404, LOGIN),
        "?unit={unit_missing}":       E(404, 404, 404, 404, 404, 404, LOGIN),
    },
    "admission:stats": {
        None:                         E(200, 200, 200, 200, 404, 404, LOGIN),
        "?unit={unit_fr}":            E(200, 200, 200, 404, 404, 404, LOGIN),
    },
    "admission:case":     ADMISSION_CASE_PAGE,
    "admission:new":      {None: E(200, 404, 200, 200, 404, 404, LOGIN)},
    "api_admission_cases": {
        None:                         E(200, 200, 200, 200, 200, 200, 401),
        "?unit={unit_fr}":            E(200, 200, 200, 404, 404, 404, 401),
        "?stage=bogus":               E(400, 400, 400, 400, 400, 400, 401),
    },
    "api_admission_case":  api(ADMISSION_CASE_PAGE),
    "api_admission_actions": {t: E(405, 405, 405, 405, 405, 405, 401) for t in ADMISSION_CASE_PAGE},
    "admission:step":     {t: E(405, 405, 405, 405, 405, 405, LOGIN) for t in ADMISSION_CASE_PAGE},
    # Without ?form=… there is no paper to give: 404 for everyone (the journey downloads real ones).
    "admission:paper":    {t: E(404, 404, 404, 404, 404, 404, LOGIN) for t in ADMISSION_CASE_PAGE},
    "set_language":       {None: E(HOME, HOME, HOME, HOME, HOME, HOME, HOME)},  # GET only redirects
    "units:tree":         {None: E(200, 200, 200, 200, 404, 404, LOGIN)},
    "units:children": {  # a unit's children in the tree: for those who see the tree, within their scope
        "unit_root":      E(200, 200, 404, 404, 404, 404, LOGIN),
        "unit_fr":        E(200, 200, 200, 404, 404, 404, LOGIN),
        "unit_fr_dsq":    E(200, 200, 200, 404, 404, 404, LOGIN),
        "unit_de":        E(200, 200, 404, 200, 404, 404, LOGIN),
        "unit_closed":    E(200, 200, 404, 404, 404, 404, LOGIN),
        "unit_missing":   E(404, 404, 404, 404, 404, 404, LOGIN),
    },
    "units:pick": {  # the unit picker's search: answers only units of the scope (none for some)
        None:                         E(200, 200, 200, 200, 200, 200, LOGIN),
        "?under={unit_de}":           E(200, 200, 404, 200, 404, 404, LOGIN),
        "?under={unit_fr_dsq}":       E(200, 200, 200, 404, 200, 404, LOGIN),
        "?perm=bogus":                E(404, 404, 404, 404, 404, 404, LOGIN),
    },
    "units:detail":       UNIT_PAGE,
    "units:create_child": UNIT_WRITE_FORM,
    "units:edit":         UNIT_WRITE_FORM,
    "units:close":        UNIT_WRITE_FORM,
    "members:post_new":     UNIT_WRITE_FORM,
    "members:post_end": {
        "post_fr":        E(200, 403, 403, 404, 404, 404, LOGIN),
        "post_fr_dsq":    E(200, 403, 403, 404, 403, 404, LOGIN),
        "post_de":        E(200, 403, 404, 403, 404, 404, LOGIN),
        "post_missing":   E(404, 404, 404, 404, 404, 404, LOGIN),
    },
    "members:list":       {None: E(200, 200, 200, 200, 200, 200, LOGIN)},
    "members:new":        {None: E(200, 404, 200, 200, 404, 404, LOGIN)},
    # the data quality board: members.view, within the reader's scope (another subtree is 404)
    "members:quality": {
        None:                     E(200, 200, 200, 200, 404, 404, LOGIN),
        "?unit={unit_fr}":        E(200, 200, 200, 404, 404, 404, LOGIN),
        "?unit={unit_de}":        E(200, 200, 404, 200, 404, 404, LOGIN),
        "?unit={unit_missing}":   E(404, 404, 404, 404, 404, 404, LOGIN),
    },
    "members:quality_members": {
        "quality_problem":        E(200, 200, 200, 200, 404, 404, LOGIN),
        "quality_unknown":        E(404, 404, 404, 404, 404, 404, LOGIN),
    },
    "members:me":         {None: E(404, 404, OWN, OWN, OWN, 404, LOGIN)},
    "members:detail":     MEMBER_PAGE,
    "members:edit":       MEMBER_WRITE_FORM,
    "members:status":     MEMBER_WRITE_FORM,
    "members:invite":     {"member_fr": E(405, 405, 405, 405, 405, 405, LOGIN)},   # POST only
    "members:invite_unit": {"unit_fr_dsq": E(405, 405, 405, 405, 405, 405, LOGIN)},
    "admission:invite":   {t: E(405, 405, 405, 405, 405, 405, LOGIN) for t in ADMISSION_CASE_PAGE},
    # accounts: everyone has their own account page; officers (accounts.view) the accounts of their scope
    "accounts:me":        {None: E(200, 200, 200, 200, 200, 200, LOGIN)},
    "accounts:token_new": {None: E(405, 405, 405, 405, 405, 405, LOGIN)},
    "accounts:token_revoke": {"token_ban": E(405, 405, 405, 405, 405, 405, LOGIN)},
    "accounts:session_end": {"session_all": E(405, 405, 405, 405, 405, 405, LOGIN)},
    # the activation link is for people not signed in yet: an unknown one is not found, for anyone
    "accounts:activate":  {"link:unknown-link": E(404, 404, 404, 404, 404, 404, 404)},
    "accounts:users":     {None: E(200, 200, 200, 200, 403, 403, LOGIN)},
    "accounts:invite":    {None: E(200, 403, 403, 403, 403, 403, LOGIN)},
    "accounts:review":    {None: E(200, 200, 403, 403, 403, 403, LOGIN)},
    "accounts:roles":     {None: E(200, 200, 200, 200, 403, 403, LOGIN)},
    "accounts:role_grant": {None: E(405, 405, 405, 405, 405, 405, LOGIN)},
    "accounts:role_withdraw": {"role_fr_officer": E(405, 405, 405, 405, 405, 405, LOGIN)},
    "accounts:user": {
        "account_fr":      E(200, 200, 200, 404, 403, 403, LOGIN),
        "account_de":      E(200, 200, 404, 200, 403, 403, LOGIN),
        "account_missing": E(404, 404, 404, 404, 403, 403, LOGIN),
    },
    "accounts:user_resend":     {"account_invited_fr": E(405, 405, 405, 405, 405, 405, LOGIN)},
    "accounts:user_revoke":     {"account_invited_fr": E(405, 405, 405, 405, 405, 405, LOGIN)},
    "accounts:user_deactivate": {"account_fr": E(405, 405, 405, 405, 405, 405, LOGIN)},
    "accounts:user_end_sessions": {"account_fr": E(405, 405, 405, 405, 405, 405, LOGIN)},
    # bulk import/export: pages for those who read member records; writing needs members.edit; jobs are their owner's
    "bulk:import":        {None: E(200, 200, 200, 200, 404, 404, LOGIN)},
    "bulk:book_pick":     {None: E(404, 404, 404, 404, 404, 404, LOGIN),   # no unit chosen
                           "?book-unit={unit_fr_dsq}": E(302, 302, 302, 404, 404, 404, LOGIN),
                           "?book-unit={unit_de}": E(302, 302, 404, 302, 404, 404, LOGIN)},
    "bulk:template":      {None: E(200, 404, 200, 200, 404, 404, LOGIN)},
    "bulk:job":           {"job_phap": E(404, 404, 200, 404, 404, 404, LOGIN),
                           "job_missing": E(404, 404, 404, 404, 404, 404, LOGIN)},
    "bulk:job_report":    {"job_phap": E(404, 404, 200, 404, 404, 404, LOGIN),
                           "job_missing": E(404, 404, 404, 404, 404, 404, LOGIN)},
    "bulk:job_run":       {"job_phap": E(405, 405, 405, 405, 405, 405, LOGIN)},   # POST only
    "bulk:job_cancel":    {"job_phap": E(405, 405, 405, 405, 405, 405, LOGIN)},   # POST only
    "bulk:export_list":   {None: E(200, 200, 200, 200, 404, 404, LOGIN),
                           "?unit={unit_de}&status=full": E(200, 200, 200, 200, 404, 404, LOGIN)},
    # a unit out of the reader's scope is left out of the filter, as on the list page
    "bulk:export_list_csv": {None: E(200, 200, 200, 200, 404, 404, LOGIN),
                             "?unit={unit_fr}": E(200, 200, 200, 200, 404, 404, LOGIN)},
    "bulk:book":          {"unit_fr_dsq": E(200, 200, 200, 404, 404, 404, LOGIN),
                           "unit_de_cell": E(200, 200, 404, 200, 404, 404, LOGIN),
                           "unit_missing": E(404, 404, 404, 404, 404, 404, LOGIN)},
    # the exchange format: organization officers (units.edit); readers of member records are refused, others 404
    "bulk:exchange":           {None: E(200, 403, 403, 403, 404, 404, LOGIN)},
    "bulk:exchange_json":      {None: E(200, 403, 403, 403, 404, 404, LOGIN)},
    "bulk:exchange_xlsx":      {None: E(200, 403, 403, 403, 404, 404, LOGIN)},
    "bulk:exchange_import":    {None: E(405, 405, 405, 405, 405, 405, LOGIN)},   # POST only
    "bulk:exchange_reconcile": {None: E(405, 405, 405, 405, 405, 405, LOGIN)},   # POST only
    # rulebook and calendar: every logged-in user reads them; the organization officer writes (POST)
    "rules:index":        {None: E(200, 200, 200, 200, 200, 200, LOGIN)},
    "rules:detail": {
        "rule:admission.decide_within": E(200, 200, 200, 200, 200, 200, LOGIN),
        "rule:admission.no_such_rule":  E(404, 404, 404, 404, 404, 404, LOGIN),
    },
    "rules:calendar": {
        None:                             E(200, 200, 200, 200, 200, 200, LOGIN),
        "?year=2027&start=13/02/2026&n=5": E(200, 200, 200, 200, 200, 200, LOGIN),
        "?year=1800&n=-1":                E(200, 200, 200, 200, 200, 200, LOGIN),  # errors shown, not a crash
    },
    "rules:calendar_remove": {None: E(405, 405, 405, 405, 405, 405, LOGIN)},  # POST only
    "rules:watch":        {None: E(200, 200, 200, 200, 200, 200, LOGIN)},
    "rules:confirm":      {"rule_to_confirm": E(405, 405, 405, 405, 405, 405, LOGIN)},  # POST only
    # An applicant gets the radar's empty "Việc của tôi" (the nav offers it to everyone); a unit filter
    # outside the scope is a 404, like the API's.
    "deadlines:radar": {
        None:                           E(200, 200, 200, 200, 200, 200, LOGIN),
        "?state=overdue&days=7":        E(200, 200, 200, 200, 200, 200, LOGIN),
        "?unit={unit_fr}":              E(200, 200, 200, 404, 404, 404, LOGIN),
        "?unit={unit_fr_dsq}":          E(200, 200, 200, 404, 200, 404, LOGIN),
        "?unit={unit_de}&state=active": E(200, 200, 404, 200, 404, 404, LOGIN),
        "?unit={unit_missing}":         E(404, 404, 404, 404, 404, 404, LOGIN),
    },
    "deadlines:detail":   DEADLINE_PAGE,
    "deadlines:waive":    DEADLINE_POST_ONLY,
    "deadlines:explain":  DEADLINE_POST_ONLY,
    # The outbox (chibo.notifications): everyone's own bell; the delivery log for whoever reads members
    # (scoped to their subtree inside the page), not for members and applicants.
    "notifications:list": {None: E(200, 200, 200, 200, 200, 200, LOGIN)},
    "notifications:read": {None: E(405, 405, 405, 405, 405, 405, LOGIN)},
    "notifications:log": {
        None:                                E(200, 200, 200, 200, 404, 404, LOGIN),
        "?state=failed&kind=meeting.notice": E(200, 200, 200, 200, 404, 404, LOGIN),
        "?state=nonsense":                   E(200, 200, 200, 200, 404, 404, LOGIN),  # ignored, not a crash
    },
    "deadlines:feed_manage": {None: E(200, 200, 200, 200, 200, 200, LOGIN)},
    # The calendar app has no session: the secret key alone answers, whoever asks.
    "deadlines:feed": {
        "feed_own":       E(200, 200, 200, 200, 200, 200, 200),
        "feed_revoked":   E(404, 404, 404, 404, 404, 404, 404),
        "feed_missing":   E(404, 404, 404, 404, 404, 404, 404),
    },
    # transfers (chibo.transfers): pages keyed by transfer, letter, member, unit; POST-only actions answer 405 to GET
    "transfers:list":     {None: E(200, 200, 200, 200, 200, 200, LOGIN),
                           "?who=nguyen": E(200, 200, 200, 200, 200, 200, LOGIN)},  # the search to start one
    "transfers:mine":     {None: E(404, 404, 200, 200, 200, 404, LOGIN)},
    "transfers:orgs":     {None: E(200, 200, 200, 200, 404, 404, LOGIN)},
    "transfers:detail":   TRANSFER_PAGE,
    "transfers:act":      {"transfer_fr": E(405, 405, 405, 405, 405, 405, LOGIN)},
    "transfers:member":   MEMBER_PAGE,
    "transfers:new":      MEMBER_WRITE_FORM,
    "transfers:incoming": MEMBER_WRITE_FORM,
    "transfers:review_new": SELF_OR_STAFF,
    "transfers:trip_new": SELF_OR_STAFF,
    "transfers:declaration_new": SELF_OR_STAFF,
    "transfers:exemption_new": SELF_OR_STAFF,
    "transfers:exemption": {
        "exemption_own":     E(200, 200, 200, 404, 200, 404, LOGIN),
        "exemption_de":      E(200, 200, 404, 200, 404, 404, LOGIN),
        "exemption_missing": E(404, 404, 404, 404, 404, 404, LOGIN),
    },
    "transfers:trip": {
        "trip_own":       E(200, 200, 200, 404, 200, 404, LOGIN),
        "trip_de":        E(200, 200, 404, 200, 404, 404, LOGIN),
        "trip_missing":   E(404, 404, 404, 404, 404, 404, LOGIN),
    },
    "transfers:declaration": {
        "declaration_own":     E(200, 200, 200, 404, 200, 404, LOGIN),
        "declaration_de":      E(200, 200, 404, 200, 404, 404, LOGIN),
        "declaration_missing": E(404, 404, 404, 404, 404, 404, LOGIN),
    },
    # the committee's decision on a trip / a declaration as PDF and DOCX: the member and officers in
    # scope; 404 before the decision
    "transfers:trip_decision_pdf": DECISION_FILE["trip"],
    "transfers:trip_decision_docx": DECISION_FILE["trip"],
    "transfers:declaration_decision_pdf": DECISION_FILE["declaration"],
    "transfers:declaration_decision_docx": DECISION_FILE["declaration"],
    "transfers:hold_new": {  # the inspection / complaint flag: officers and inspectors
        "member_own":     E(200, 200, 403, 404, 403, 404, LOGIN),
        "member_fr":      E(200, 200, 403, 404, 404, 404, LOGIN),
        "member_de":      E(200, 200, 404, 403, 404, 404, LOGIN),
        "member_missing": E(404, 404, 404, 404, 404, 404, LOGIN),
    },
    "transfers:review_certify": {"review_own": E(405, 405, 405, 405, 405, 405, LOGIN)},
    "transfers:hold_close": {"hold_us": E(405, 405, 405, 405, 405, 405, LOGIN)},
    "transfers:letter_pdf":  LETTER_PAGE,
    "transfers:letter_docx": LETTER_PAGE,
    "transfers:letter_void": {"letter_fr": E(405, 405, 405, 405, 405, 405, LOGIN)},
    "transfers:rotation": {
        "unit_fr_dsq":    E(200, 403, 200, 404, 403, 404, LOGIN),   # dangvien.phap sees the unit, may not act
        "unit_de":        E(200, 403, 404, 200, 404, 404, LOGIN),
        "unit_missing":   E(404, 404, 404, 404, 404, 404, LOGIN),
    },
    "transfers:delegation_new": {None: E(200, 403, 403, 403, 403, 403, LOGIN)},   # the upper committee only
    "transfers:delegation_search": {None: E(200, 403, 403, 403, 403, 403, LOGIN),
                                    "?q=nguyen": E(200, 403, 403, 403, 403, 403, LOGIN)},
    "transfers:delegation_row": {
        "?task=1":             E(200, 403, 403, 403, 403, 403, LOGIN),
        "?pick={member_fr}":   E(200, 403, 403, 403, 403, 403, LOGIN),
        "?pick={member_missing}": E(404, 403, 403, 403, 403, 403, LOGIN),
    },
    "transfers:delegations": {None: E(200, 200, 200, 200, 200, 200, LOGIN)},
    "transfers:delegation": {
        "unit_delegation": E(200, 200, 404, 404, 404, 404, LOGIN),
        "unit_closed":     E(404, 404, 404, 404, 404, 404, LOGIN),   # a unit without a delegation record
        "unit_fr_dsq":     E(404, 404, 404, 404, 404, 404, LOGIN),
    },
    "transfers:org_edit": {
        "org_first":       E(200, 403, 403, 403, 404, 404, LOGIN),
        "org_missing":     E(404, 404, 404, 404, 404, 404, LOGIN),
    },
    "transfers:org_active": {"org_first": E(405, 405, 405, 405, 405, 405, LOGIN)},
    "transfers:delegation_close": {
        "unit_delegation": E(200, 403, 404, 404, 404, 404, LOGIN),
        "unit_closed":     E(404, 404, 404, 404, 404, 404, LOGIN),   # a unit without a delegation record
    },
    "transfers:book": {
        "unit_fr_dsq":    E(200, 200, 200, 404, 404, 404, LOGIN),
        "unit_de":        E(200, 200, 404, 200, 404, 404, LOGIN),
        "unit_missing":   E(404, 404, 404, 404, 404, 404, LOGIN),
    },
    # -- API -----------------------------------------------------------------------------------
    "api_units":          {None: E(200, 200, 200, 200, 200, 200, 401),
                           "?open=1": E(200, 200, 200, 200, 200, 200, 401)},
    "api_unit":           api(UNIT_PAGE),
    "api_members": {
        None:                         E(200, 200, 200, 200, 200, 200, 401),
        "?unit={unit_fr}":            E(200, 200, 200, 404, 404, 404, 401),
        "?unit={unit_fr_dsq}":        E(200, 200, 200, 404, 200, 404, 401),
        "?unit={unit_de}":            E(200, 200, 404, 200, 404, 404, 401),
        "?unit={unit_us}":            E(200, 200, 404, 404, 404, 404, 401),
        "?unit={unit_missing}":       E(404, 404, 404, 404, 404, 404, 401),
        "?q=nguyen&country=DE":       E(200, 200, 200, 200, 200, 200, 401),
        "?sort=bogus":                E(400, 400, 400, 400, 400, 400, 401),
        "?page=abc":                  E(400, 400, 400, 400, 400, 400, 401),
    },
    "api_members_export": {
        None:                         E(200, 200, 200, 200, 404, 404, 401),
        "?file_format=csv&unit={unit_fr}": E(200, 200, 200, 404, 404, 404, 401),
        "?unit={unit_de}":            E(200, 200, 404, 200, 404, 404, 401),
        "?file_format=pdf":           E(400, 400, 400, 400, 404, 404, 401),
        "?unit=abc":                  E(400, 400, 400, 400, 404, 404, 401),
    },
    "api_member":         api(MEMBER_PAGE),
    "api_member_quality": {
        None:                     E(200, 200, 200, 200, 404, 404, 401),
        "?unit={unit_fr}":        E(200, 200, 200, 404, 404, 404, 401),
        "?unit={unit_de}":        E(200, 200, 404, 200, 404, 404, 401),
        "?unit={unit_missing}":   E(404, 404, 404, 404, 404, 404, 401),
        "?unit=abc":              E(400, 400, 400, 400, 404, 404, 401),
        "?sort=name":             E(400, 400, 400, 400, 400, 400, 400),  # refused before sign-in is checked
    },
    "api_member_quality_members": {
        "quality_problem":        E(200, 200, 200, 200, 404, 404, 401),
        "quality_unknown":        E(404, 404, 404, 404, 404, 404, 401),
    },
    "api_dues_member":    api(MEMBER_PAGE),  # dues.view on the member's unit (inspectors too), or the member
    "api_member_invite":  {"member_fr": E(405, 405, 405, 405, 405, 405, 401)},   # POST only
    "api_unit_invite_members": {"unit_fr_dsq": E(405, 405, 405, 405, 405, 405, 401)},
    "api_admission_invite": {t: E(405, 405, 405, 405, 405, 405, 401) for t in ADMISSION_CASE_PAGE},
    "api_me":             {None: E(200, 200, 200, 200, 200, 200, 401)},
    "api_my_tokens":      {None: E(200, 200, 200, 200, 200, 200, 401)},
    "api_my_token_revoke": {"token_ban": E(405, 405, 405, 405, 405, 405, 401)},
    "api_my_sessions":    {None: E(200, 200, 200, 200, 200, 200, 401)},
    "api_my_session_end": {"session_all": E(405, 405, 405, 405, 405, 405, 401)},
    "api_invitation_accept": {None: E(405, 405, 405, 405, 405, 405, 405)},   # anyone may POST a link's token
    "api_accounts":       {None: E(200, 200, 200, 200, 403, 403, 401)},
    "api_account_review": {None: E(200, 200, 403, 403, 403, 403, 401)},
    "api_account": {
        "account_fr":      E(200, 200, 200, 404, 403, 403, 401),
        "account_de":      E(200, 200, 404, 200, 403, 403, 401),
        "account_missing": E(404, 404, 404, 404, 403, 403, 401),
    },
    "api_account_resend":     {"account_invited_fr": E(405, 405, 405, 405, 405, 405, 401)},
    "api_account_revoke":     {"account_invited_fr": E(405, 405, 405, 405, 405, 405, 401)},
    "api_account_deactivate": {"account_fr": E(405, 405, 405, 405, 405, 405, 401)},
    "api_account_end_sessions": {"account_fr": E(405, 405, 405, 405, 405, 405, 401)},
    "api_roles":          {None: E(200, 200, 200, 200, 403, 403, 401)},
    "api_role_withdraw":  {"role_fr_officer": E(405, 405, 405, 405, 405, 405, 401)},
    "api_member_timeline": api(MEMBER_PAGE),  # the timeline: exactly who may read the full record
    "api_member_status":  api(MEMBER_WRITE_FORM),   # the statuses it may change to: who may change it
    "api_unit_posts":     api(UNIT_PAGE),
    "api_post_end":       {"post_fr": E(405, 405, 405, 405, 405, 405, 401)},   # POST only
    "api_calendar_days": {
        None:          E(200, 200, 200, 200, 200, 200, 401),
        "?year=2027":  E(200, 200, 200, 200, 200, 200, 401),
        "?year=1800":  E(400, 400, 400, 400, 400, 400, 401),
    },
    "api_calendar_day_remove": {None: E(405, 405, 405, 405, 405, 405, 401)},   # POST only
    "api_rule_confirm":   {"rule_to_confirm": E(405, 405, 405, 405, 405, 405, 401)},
    "api_unit_close":     {"unit_fr": E(405, 405, 405, 405, 405, 405, 401)},   # POST only
    "api_deadline_waive":   {"deadline_fr": E(405, 405, 405, 405, 405, 405, 401)},
    "api_deadline_explain": {"deadline_fr": E(405, 405, 405, 405, 405, 405, 401)},
    "api_my_feed":        {None: E(200, 200, 200, 200, 200, 200, 401)},
    "api_my_notifications": {None: E(200, 200, 200, 200, 200, 200, 401)},
    "api_my_notifications_read": {None: E(405, 405, 405, 405, 405, 405, 401)},
    "api_unit_meeting_settings": {
        "unit_fr_dsq":      E(200, 403, 200, 404, 403, 404, 401),
        "unit_de_cell":     E(200, 403, 404, 200, 404, 404, 401),
        "unit_missing":     E(404, 404, 404, 404, 404, 404, 401),
    },
    "api_imports":        {None: E(405, 405, 405, 405, 405, 405, 401)},   # POST only (a multipart upload)
    "api_import":         {"job_phap": E(404, 404, 200, 404, 404, 404, 401),
                           "job_missing": E(404, 404, 404, 404, 404, 404, 401)},
    "api_import_run":     {"job_phap": E(405, 405, 405, 405, 405, 405, 401)},
    "api_import_cancel":  {"job_phap": E(405, 405, 405, 405, 405, 405, 401)},
    "api_exchange":       {None: E(200, 403, 403, 403, 404, 404, 401)},
    "api_exchange_import": {None: E(405, 405, 405, 405, 405, 405, 401)},     # POST only (a multipart upload)
    "api_exchange_reconcile": {None: E(405, 405, 405, 405, 405, 405, 401)},  # POST only (a multipart upload)
    "api_rules": {
        None:                                   E(200, 200, 200, 200, 200, 200, 401),
        "?key=probation.months&on=2026-07-01":  E(200, 200, 200, 200, 200, 200, 401),
        "?key=admission.no_such_rule":          E(400, 400, 400, 400, 400, 400, 401),
        "?confidence=to_confirm":               E(200, 200, 200, 200, 200, 200, 401),
    },
    "api_rule": {
        "rule:probation.months":        E(200, 200, 200, 200, 200, 200, 401),
        "rule:admission.no_such_rule":  E(404, 404, 404, 404, 404, 404, 401),
    },
    "api_deadlines": {
        None:                         E(200, 200, 200, 200, 200, 200, 401),
        "?unit={unit_fr}":            E(200, 200, 200, 404, 404, 404, 401),
        "?unit={unit_de}":            E(200, 200, 404, 200, 404, 404, 401),
        "?unit={unit_missing}":       E(404, 404, 404, 404, 404, 404, 401),
        "?state=soon&soon_days=14":   E(200, 200, 200, 200, 200, 200, 401),
        "?state=bogus":               E(400, 400, 400, 400, 400, 400, 401),
        "?unit=abc&soon_days=0":      E(400, 400, 400, 400, 400, 400, 401),
    },
    "api_deadline":       api(DEADLINE_PAGE),
    "api_schema":         {None: E(200, 200, 200, 200, 200, 200, 401)},
    "api_transfers": {
        None:                     E(200, 200, 200, 200, 200, 200, 401),
        "?member={member_fr}":    E(200, 200, 200, 404, 404, 404, 401),
        "?member={member_own}":   E(200, 200, 200, 404, 200, 404, 401),
        "?state=bogus":           E(400, 400, 400, 400, 400, 400, 401),
        "?member=abc":            E(400, 400, 400, 400, 400, 400, 401),
    },
    "api_transfer":       api(TRANSFER_PAGE),
    "api_transfer_actions":  {"transfer_fr": E(405, 405, 405, 405, 405, 405, 401)},
    "api_trips":          {None: E(200, 200, 200, 200, 200, 200, 401)},
    "api_trip_actions":   {"trip_own": E(405, 405, 405, 405, 405, 405, 401)},
    "api_declarations":   {None: E(200, 200, 200, 200, 200, 200, 401)},
    "api_declaration_actions": {"declaration_own": E(405, 405, 405, 405, 405, 405, 401)},
    "api_exemptions":     {None: E(200, 200, 200, 200, 200, 200, 401)},
    "api_exemption_actions": {"exemption_own": E(405, 405, 405, 405, 405, 405, 401)},
    "api_delegations":    {None: E(200, 200, 200, 200, 200, 200, 401)},
    "api_delegation": {
        "unit_delegation": E(200, 200, 404, 404, 404, 404, 401),
        "unit_closed":     E(404, 404, 404, 404, 404, 404, 401),   # a unit without a delegation record
    },
    "api_delegation_actions": {"unit_delegation": E(405, 405, 405, 405, 405, 405, 401)},
    # the API twins of the other transfer pages: lists read like the member page, actions are POST only
    "api_transfer_incoming": {"member_fr_incoming": E(405, 405, 405, 405, 405, 405, 401)},
    "api_holds":          api(MEMBER_PAGE),
    "api_hold_close":     {"hold_us": E(405, 405, 405, 405, 405, 405, 401)},
    "api_letter_void":    {"letter_fr": E(405, 405, 405, 405, 405, 405, 401)},
    "api_rotation":       {"unit_fr_lhs": E(405, 405, 405, 405, 405, 405, 401)},
    "api_organizations": {  # the directory: whoever reads member records, like its page
        None:             E(200, 200, 200, 200, 404, 404, 401),
        "?active=false":  E(200, 200, 200, 200, 404, 404, 401),
        "?active=maybe":  E(400, 400, 400, 400, 404, 404, 401),
    },
    "api_organization": {
        "org_first":      E(200, 200, 200, 200, 404, 404, 401),
        "org_missing":    E(404, 404, 404, 404, 404, 404, 401),
    },
    "api_organization_active": {"org_first": E(405, 405, 405, 405, 405, 405, 401)},
    "api_return_reviews": api(MEMBER_PAGE),
    "api_return_review_certify": {"review_own": E(405, 405, 405, 405, 405, 405, 401)},
    # meetings: staff see their subtree, a member the meetings of their own unit
    "meetings:index":       {None: E(200, 200, 200, 200, 200, 200, LOGIN)},
    "meetings:new":         {None: E(200, 404, 200, 200, 404, 404, LOGIN)},
    "meetings:compliance":  {None: E(200, 200, 200, 200, 404, 404, LOGIN),
                             "?unit={unit_de}&year=2026": E(200, 200, 404, 200, 404, 404, LOGIN)},
    "meetings:book":        {None: E(200, 200, 200, 200, 200, 200, LOGIN),
                             "?unit={unit_fr_dsq}&year=2026": E(200, 200, 200, 404, 200, 404, LOGIN)},
    "meetings:unit_settings": {
        "unit_fr_dsq":      E(200, 403, 200, 404, 403, 404, LOGIN),
        "unit_de_cell":     E(200, 403, 404, 200, 404, 404, LOGIN),
        "unit_missing":     E(404, 404, 404, 404, 404, 404, LOGIN),
    },
    "meetings:detail": {
        "meeting_fr_dsq":   E(200, 200, 200, 404, 200, 404, LOGIN),
        "meeting_de":       E(200, 200, 404, 200, 404, 404, LOGIN),
        "meeting_missing":  E(404, 404, 404, 404, 404, 404, LOGIN),
    },
    "meetings:act":         {"meeting_fr_dsq": E(405, 405, 405, 405, 405, 405, LOGIN)},   # POST only
    "meetings:check_in":    {"meeting_fr_dsq": E(405, 405, 405, 405, 405, 405, LOGIN)},
    "meetings:vote":        {"box_fr_dsq": E(405, 405, 405, 405, 405, 405, LOGIN)},
    "meetings:receipt":     {"meeting_fr_dsq": E(405, 405, 405, 405, 405, 405, LOGIN)},   # POST only
    "meetings:minutes_file": {
        "meeting_fr_dsq_minutes": E(200, 200, 200, 404, 200, 404, LOGIN),
        "meeting_fr_dsq":   E(404, 404, 404, 404, 404, 404, LOGIN),   # minutes not approved yet
    },
    "meetings:document":    {"doc_fr_dsq": E(200, 200, 200, 404, 200, 404, LOGIN)},
    "meetings:attendance_sheet": {   # the sheet to sign: whoever runs the cell's meetings
        "meeting_fr_dsq":   E(200, 403, 200, 404, 403, 404, LOGIN),
        "meeting_de":       E(200, 403, 404, 200, 404, 404, LOGIN),
        "meeting_missing":  E(404, 404, 404, 404, 404, 404, LOGIN),
    },
    "meetings:minutes_print": {     # approved minutes as the PDF; a draft only for whoever runs the meeting
        "meeting_fr_dsq_minutes": E(200, 200, 200, 404, 200, 404, LOGIN),
        "meeting_fr_dsq":   E(404, 404, 404, 404, 404, 404, LOGIN),   # no minutes yet
        "meeting_missing":  E(404, 404, 404, 404, 404, 404, LOGIN),
    },
    "api_meetings": {
        None:                       E(200, 200, 200, 200, 200, 200, 401),
        "?unit={unit_fr_dsq}":      E(200, 200, 200, 404, 200, 404, 401),
        "?unit={unit_de_cell}":     E(200, 200, 404, 200, 404, 404, 401),
        "?unit=abc":                E(400, 400, 400, 400, 400, 400, 401),
    },
    "api_meeting": {
        "meeting_fr_dsq":   E(200, 200, 200, 404, 200, 404, 401),
        "meeting_de":       E(200, 200, 404, 200, 404, 404, 401),
        "meeting_missing":  E(404, 404, 404, 404, 404, 404, 401),
    },
    "api_meetings_compliance": {  # the compliance page's figures: whoever sees the page
        None:                       E(200, 200, 200, 200, 404, 404, 401),
        "?unit={unit_de}&year=2026": E(200, 200, 404, 200, 404, 404, 401),
        "?unit={unit_missing}":     E(404, 404, 404, 404, 404, 404, 401),
        "?year=abc":                E(400, 400, 400, 400, 404, 404, 401),
        "?sort=worse":              E(400, 400, 400, 400, 404, 404, 401),
    },
    "api_meeting_actions":  {"meeting_fr_dsq": E(405, 405, 405, 405, 405, 405, 401)},
    "api_ballot":           {"box_fr_dsq": E(200, 200, 200, 404, 200, 404, 401)},
    "api_ballot_actions":   {"box_fr_dsq": E(405, 405, 405, 405, 405, 405, 401)},
    "api_ballot_receipt":   {"box_fr_dsq": E(405, 405, 405, 405, 405, 405, 401)},
    # dues: staff with dues.view on the unit (inspectors too), the member their own; writes need dues.record
    "dues:index": {
        None:                         E(200, 200, 200, 200, 200, 404, LOGIN),   # a member: their own dues
        "?unit={unit_de}":            E(200, 200, 404, 200, 404, 404, LOGIN),
        "?unit={unit_fr}&month=13/2026": E(200, 200, 200, 404, 404, 404, LOGIN),  # a bad month: this month
        "?unit={unit_missing}":       E(404, 404, 404, 404, 404, 404, LOGIN),
    },
    "dues:unit":          DUES_UNIT,
    "dues:book":          DUES_UNIT,
    "dues:remit":         {"unit_fr_lhs": E(405, 405, 405, 405, 405, 405, LOGIN)},   # POST only
    "dues:statement": {
        "unit_fr_dsq":    E(200, 403, 200, 404, 404, 404, LOGIN),
        "unit_de_cell":   E(200, 403, 404, 200, 404, 404, LOGIN),
        "unit_missing":   E(404, 404, 404, 404, 404, 404, LOGIN),
    },
    "dues:member":        MEMBER_PAGE,
    "dues:pay":           {"member_fr": E(405, 405, 405, 405, 405, 405, LOGIN)},
    "dues:profile":       {"member_fr": E(405, 405, 405, 405, 405, 405, LOGIN)},
    "dues:decision":      {"member_fr": E(405, 405, 405, 405, 405, 405, LOGIN)},
    "dues:decision_revoke": {"decision_own": E(405, 405, 405, 405, 405, 405, LOGIN)},
    "dues:reverse":       {"entry_own": E(405, 405, 405, 405, 405, 405, LOGIN)},
    "dues:receipt":       DUES_ENTRY,
    "dues:remittance":    DUES_REMITTANCE,
    "dues:rates":         {None: E(200, 200, 200, 200, 404, 404, LOGIN)},
    "dues:exchange_rate": {None: E(405, 405, 405, 405, 405, 405, LOGIN)},
    "dues:exchange_rates_import": {None: E(405, 405, 405, 405, 405, 405, LOGIN)},
    "api_dues_profile":   {"member_fr": E(405, 405, 405, 405, 405, 405, 401)},
    "api_dues_decisions": api(MEMBER_PAGE),
    "api_dues_payments":  {"member_fr": E(405, 405, 405, 405, 405, 405, 401)},
    "api_dues_decision_revoke": {"decision_own": E(405, 405, 405, 405, 405, 405, 401)},
    "api_dues_reverse":   {"entry_own": E(405, 405, 405, 405, 405, 405, 401)},
    "api_dues_unit":      api(DUES_UNIT),
    "api_dues_summary":   api(DUES_UNIT),
    "api_dues_remittances": api(DUES_UNIT),
    "api_dues_statement": {"unit_fr_dsq": E(405, 405, 405, 405, 405, 405, 401)},
    "api_dues_remittance": api(DUES_REMITTANCE),
    "api_dues_remittance_actions": {"remit_fr_dsq": E(405, 405, 405, 405, 405, 405, 401)},
    # discipline: need to know (see DISCIPLINE_CASE); opening a case from the member's page
    "discipline:index":   {None: E(200, 200, 200, 200, 200, 404, LOGIN)},
    "discipline:register": {None: E(200, 200, 200, 200, 404, 404, LOGIN)},  # only the decisions each may know
    "discipline:register_pdf": {None: E(200, 200, 200, 200, 404, 404, LOGIN)},
    "discipline:new": {
        "?member={member_fr_dsq}": E(200, 200, 200, 404, 404, 404, LOGIN),
        "?member={member_de}":     E(200, 200, 404, 200, 404, 404, LOGIN),
        "?member={member_missing}": E(404, 404, 404, 404, 404, 404, LOGIN),
    },
    "discipline:case":    DISCIPLINE_CASE,
    "discipline:act":     {"dcase_own": E(405, 405, 405, 405, 405, 405, LOGIN)},
    "discipline:decision": {  # no decision yet on these cases: 404 for everyone, outside the need to know too
        "dcase_own":     E(404, 404, 404, 404, 404, 404, LOGIN),
        "dcase_missing": E(404, 404, 404, 404, 404, 404, LOGIN),
    },
    "discipline:notice_new": {
        "?member={member_fr_dsq}": E(200, 200, 200, 404, 404, 404, LOGIN),
        "?member={member_de}":     E(200, 200, 404, 200, 404, 404, LOGIN),
        "?member={member_missing}": E(404, 404, 404, 404, 404, 404, LOGIN),
    },
    "discipline:notice":  DISCIPLINE_NOTICE,
    "discipline:notice_act": {"dnotice_own": E(405, 405, 405, 405, 405, 405, LOGIN)},
    "api_discipline_notices": {None: E(200, 200, 200, 200, 200, 200, 401)},
    "api_discipline_notice": api(DISCIPLINE_NOTICE),
    "api_discipline_notice_actions": {"dnotice_own": E(405, 405, 405, 405, 405, 405, 401)},
    "api_discipline_cases": {None: E(200, 200, 200, 200, 200, 200, 401)},
    "api_discipline_case": api(DISCIPLINE_CASE),
    "api_discipline_case_actions": {"dcase_own": E(405, 405, 405, 405, 405, 405, 401)},
    # study: sessions of a cell (STUDY_SESSION), reflections private to the author and the cell's committee
    "study:index":          {None: E(200, 200, 200, 200, 200, 404, LOGIN)},
    "study:session_new":    {None: E(200, 404, 200, 200, 404, 404, LOGIN)},
    "study:session":        STUDY_SESSION,
    "study:attendance":     {"session_fr": E(405, 405, 405, 405, 405, 405, LOGIN)},
    "study:reflection_write": {"session_fr": E(404, 404, 200, 404, 200, 404, LOGIN),  # members on PHAP-DSQ's rolls
                               "session_de": E(404, 404, 404, 404, 404, 404, LOGIN)},
    "study:reflection":     STUDY_REFLECTION,
    "study:certificates":   {"?member={member_own}": E(200, 200, 200, 404, 200, 404, LOGIN),
                             "?member={member_de}": E(200, 200, 404, 200, 404, 404, LOGIN)},
    "study:certificate_delete": {"cert_own": E(405, 405, 405, 405, 405, 405, LOGIN)},
    "api_study_sessions":   {None: E(200, 200, 200, 200, 200, 200, 401)},
    "api_study_session":    api(STUDY_SESSION),
    "api_study_session_attendance": {"session_fr": E(405, 405, 405, 405, 405, 405, 401)},
    "api_study_session_reflection": {"session_fr": E(404, 404, 404, 404, 200, 404, 401)},
    "api_study_reflection": api(STUDY_REFLECTION),
    "api_study_certificates": {None: E(200, 200, 200, 200, 200, 200, 401)},
    "api_study_certificate": api(STUDY_CERTIFICATE),
    "api_study_certificate_delete": {"cert_own": E(405, 405, 405, 405, 405, 405, 401)},
    # inspection: plans seen from the committee up (INSPECTION_PLAN); cases on a need to know (INSPECTION_CASE)
    "inspection:index":     {None: E(200, 200, 200, 200, 200, 404, LOGIN)},
    "inspection:plan_new":  {None: E(200, 200, 200, 200, 404, 404, LOGIN)},
    "inspection:plan":      INSPECTION_PLAN,
    "inspection:plan_notes": {"plan_fr": E(405, 405, 405, 405, 405, 405, LOGIN)},
    "inspection:item_act":  {"item_fr": E(405, 405, 405, 405, 405, 405, LOGIN)},
    "inspection:new": {
        "?member={member_fr_dsq}":  E(200, 200, 200, 404, 404, 404, LOGIN),
        "?member={member_de}":      E(200, 200, 404, 200, 404, 404, LOGIN),
        "?unit={unit_fr_dsq}":      E(200, 200, 200, 404, 404, 404, LOGIN),
        "?unit={unit_fr}":          E(200, 200, 403, 404, 404, 404, LOGIN),  # France's secretary: no level above
        "?member={member_missing}": E(404, 404, 404, 404, 404, 404, LOGIN),
    },
    "inspection:case":      INSPECTION_CASE,
    "inspection:case_act":  {"icase_own": E(405, 405, 405, 405, 405, 405, LOGIN)},
    "api_inspection_plans": {None: E(200, 200, 200, 200, 200, 200, 401)},
    "api_inspection_plan":  api(INSPECTION_PLAN),
    "api_inspection_plan_items": {"plan_fr": E(405, 405, 405, 405, 405, 405, 401)},
    "api_inspection_plan_notes": {  # the notes of a plan of supervision (a plan of inspection has none)
        "plan_fr_sup":  E(200, 200, 200, 404, 404, 404, 401),
        "plan_fr":      E(404, 404, 404, 404, 404, 404, 401),
        "plan_missing": E(404, 404, 404, 404, 404, 404, 401),
    },
    "api_inspection_item_actions": {"item_fr": E(405, 405, 405, 405, 405, 405, 401)},
    "api_inspection_cases": {None: E(200, 200, 200, 200, 200, 200, 401)},
    "api_inspection_case":  api(INSPECTION_CASE),
    "api_inspection_case_actions": {"icase_own": E(405, 405, 405, 405, 405, 405, 401)},
    # work programs and proposals: read with meetings.view, written by the unit's own committee (meetings.manage)
    "programs:index":        {None: E(200, 200, 200, 200, 404, 404, LOGIN)},
    "programs:new":          {None: E(200, 403, 200, 200, 404, 404, LOGIN)},
    "programs:board":        {None: E(200, 200, 200, 200, 404, 404, LOGIN)},
    "programs:program":      PROGRAM_PAGE,
    "programs:item":         PROGRAM_ITEM,
    "programs:item_act":     {"pitem_fr": E(405, 405, 405, 405, 405, 405, LOGIN)},
    "programs:proposals":    {None: E(200, 200, 200, 200, 404, 404, LOGIN)},
    "programs:proposal_new": {None: E(403, 403, 200, 200, 404, 404, LOGIN)},  # a secretary or committee member
    "programs:proposal":     PROPOSAL_PAGE,
    "programs:proposal_act": {"proposal_fr": E(405, 405, 405, 405, 405, 405, LOGIN)},
    "api_programs":          {None: E(200, 200, 200, 200, 200, 200, 401)},
    "api_programs_board":    {None: E(200, 200, 200, 200, 404, 404, 401)},
    "api_program":           api(PROGRAM_PAGE),
    "api_program_items":     {"program_fr": E(405, 405, 405, 405, 405, 405, 401)},
    "api_program_item":      api(PROGRAM_ITEM),
    "api_program_item_actions": {"pitem_fr": E(405, 405, 405, 405, 405, 405, 401)},
    "api_proposals":         {None: E(200, 200, 200, 200, 200, 200, 401)},
    "api_proposal":          api(PROPOSAL_PAGE),
    "api_proposal_actions":  {"proposal_fr": E(405, 405, 405, 405, 405, 405, 401)},
    # reports upward: read with units.view, filed and defined by the unit's own officers (members.edit on it)
    "reports:index":        {None: E(200, 200, 200, 200, 404, 404, LOGIN)},
    "reports:open":         {None: E(405, 405, 405, 405, 405, 405, LOGIN)},
    "reports:report":       REPORT_PAGE,
    "reports:act":          {"report_fr": E(405, 405, 405, 405, 405, 405, LOGIN)},
    "reports:paper_pdf":    REPORT_PAGE,
    "reports:paper_docx":   REPORT_PAGE,
    "reports:templates":    {None: E(200, 200, 200, 200, 404, 404, LOGIN)},
    "reports:template":     REPORT_TEMPLATE_PAGE,
    "reports:board":        REPORT_LEVEL,
    "reports:remind":       {None: E(405, 405, 405, 405, 405, 405, LOGIN)},
    "reports:rollup":       REPORT_LEVEL,
    "api_reports":          {None: E(200, 200, 200, 200, 200, 200, 401)},
    "api_report":           api(REPORT_PAGE),
    "api_report_actions":   {"report_fr": E(405, 405, 405, 405, 405, 405, 401)},
    "api_report_templates": {None: E(200, 200, 200, 200, 200, 200, 401)},
    "api_report_template":  api(REPORT_TEMPLATE_PAGE),
    "api_report_board":     api(REPORT_LEVEL),
    "api_report_reminders": {None: E(405, 405, 405, 405, 405, 405, 401)},
    "api_report_rollup":    api(REPORT_LEVEL),
    # privacy: a person's own requests and reads; the officers in charge; the breach register at the top
    "privacy:index":        {None: E(200, 200, 200, 200, 200, 200, LOGIN)},
    "privacy:new":          {None: E(200, 404, 200, 200, 200, 200, LOGIN)},
    "privacy:request":      PRIVACY_REQUEST,
    "privacy:act":          {"preq_own": E(405, 405, 405, 405, 405, 405, LOGIN)},
    "privacy:export":       {"preq_own": E(405, 405, 405, 405, 405, 405, LOGIN)},
    "privacy:reads":        {None: E(404, 404, 200, 200, 200, 404, LOGIN)},  # members only: their own record
    "privacy:breaches":     {None: E(200, 404, 404, 404, 404, 404, LOGIN)},
    "privacy:breach":       PRIVACY_BREACH,
    "privacy:breach_act":   {"breach_top": E(405, 405, 405, 405, 405, 405, LOGIN)},
    "api_privacy_requests": {None: E(200, 200, 200, 200, 200, 200, 401)},
    "api_privacy_request":  api(PRIVACY_REQUEST),
    "api_privacy_request_actions": {"preq_own": E(405, 405, 405, 405, 405, 405, 401)},
    "api_privacy_request_export": {"preq_own": E(405, 405, 405, 405, 405, 405, 401)},
    "api_privacy_reads":    {None: E(404, 404, 200, 200, 200, 404, 401)},
    "api_privacy_breaches": {None: E(200, 200, 200, 200, 200, 200, 401)},  # an empty list outside the top
    "api_privacy_breach":   api(PRIVACY_BREACH),
    "api_privacy_breach_actions": {"breach_top": E(405, 405, 405, 405, 405, 405, 401)},
    "privacy:anonymise":    {None: E(200, 404, 404, 404, 404, 404, LOGIN)},  # privacy.anonymise at the top only
    "api_privacy_anonymise": {None: E(200, 403, 403, 403, 403, 403, 401)},
    "privacy:processing":   {None: E(200, 200, 200, 200, 200, 200, LOGIN)},  # the record of processing: everyone
    "api_privacy_processing": {None: E(200, 200, 200, 200, 200, 200, 401)},
    # library: documents (LIBRARY_DOCUMENT / LIBRARY_FILE), the register of classified documents (LIBRARY_ENTRY)
    "library:index":        {None: E(200, 200, 200, 200, 200, 200, LOGIN)},
    "library:sent":         {None: E(200, 200, 200, 200, 404, 404, LOGIN)},
    "library:new":          {None: E(200, 404, 200, 200, 404, 404, LOGIN)},
    "library:document":     LIBRARY_DOCUMENT,
    "library:version":      {"doc_fr": E(405, 405, 405, 405, 405, 405, LOGIN)},
    "library:document_file": LIBRARY_DOCUMENT,
    "library:file":         LIBRARY_FILE,
    "library:classified":   {None: E(200, 404, 200, 200, 200, 404, LOGIN)},
    "library:entry":        LIBRARY_ENTRY,
    "library:handover":     {"classified_fr": E(405, 405, 405, 405, 405, 405, LOGIN)},
    "library:destroy":      {"classified_fr": E(405, 405, 405, 405, 405, 405, LOGIN)},
    "library:acknowledge":  {"handover_fr": E(405, 405, 405, 405, 405, 405, LOGIN)},
    "api_library_documents": {None: E(200, 200, 200, 200, 200, 200, 401)},
    "api_library_sent":     {None: E(200, 200, 200, 200, 200, 200, 401)},
    "api_library_document": api(LIBRARY_DOCUMENT),
    "api_library_document_versions": {"doc_fr": E(405, 405, 405, 405, 405, 405, 401)},
    "api_library_document_readings": api(LIBRARY_DOCUMENT),
    "api_library_document_file": api(LIBRARY_DOCUMENT),
    "api_library_file":     api(LIBRARY_FILE),
    "api_library_classified": {None: E(200, 200, 200, 200, 200, 200, 401)},
    "api_library_entry":    api(LIBRARY_ENTRY),
    "api_library_entry_handovers": {"classified_fr": E(405, 405, 405, 405, 405, 405, 401)},
    "api_library_entry_destroy": {"classified_fr": E(405, 405, 405, 405, 405, 405, 401)},
    "api_library_handover_acknowledge": {"handover_fr": E(405, 405, 405, 405, 405, 405, 401)},
    # grading: staff with grading.view; a member their own review (their page lists them)
    "grading:index":      {None: E(200, 200, 200, 200, 200, 404, LOGIN)},
    "grading:mine":       {None: E(404, 404, 200, 200, 200, 404, LOGIN)},
    "grading:period":     GRADING_PERIOD,
    "grading:period_act": {"period_root": E(405, 405, 405, 405, 405, 405, LOGIN)},
    "grading:summary_xlsx": {  # the level is the period's unit: its staff only
        "period_root":    E(200, 200, 404, 404, 404, 404, LOGIN),
        "period_de":      E(200, 200, 404, 200, 404, 404, LOGIN),
        "period_missing": E(404, 404, 404, 404, 404, 404, LOGIN),
    },
    "grading:review":     GRADING_REVIEW,
    "grading:review_act": {"grading_review_own": E(405, 405, 405, 405, 405, 405, LOGIN)},
    "grading:review_paper": GRADING_REVIEW,
    "grading:unit_review": GRADING_UNIT_REVIEW,
    "grading:unit_review_act": {"unit_review_fr_dsq": E(405, 405, 405, 405, 405, 405, LOGIN)},
    "api_grading_periods": {None: E(200, 200, 200, 200, 200, 200, 401)},
    "api_grading_period": api(GRADING_PERIOD),
    "api_grading_period_actions": {"period_root": E(405, 405, 405, 405, 405, 405, 401)},
    "api_grading_period_reviews": api(GRADING_PERIOD),
    "api_grading_period_unit_reviews": api(GRADING_PERIOD),
    "api_grading_summary": {
        "period_root":    E(200, 200, 404, 404, 404, 404, 401),
        "period_de":      E(200, 200, 404, 200, 404, 404, 401),
        "period_missing": E(404, 404, 404, 404, 404, 404, 401),
    },
    "api_grading_my_reviews": {None: E(200, 200, 200, 200, 200, 200, 401)},
    "api_grading_review": api(GRADING_REVIEW),
    "api_grading_review_actions": {"grading_review_own": E(405, 405, 405, 405, 405, 405, 401)},
    "api_grading_unit_review": api(GRADING_UNIT_REVIEW),
    "api_grading_unit_review_actions": {"unit_review_fr_dsq": E(405, 405, 405, 405, 405, 405, 401)},
    "api_dues_rates":     {None: E(200, 200, 200, 200, 404, 404, 401)},
    "api_dues_exchange_rates": {None: E(200, 200, 200, 200, 404, 404, 401)},
    "api_dues_exchange_rates_import": {None: E(405, 405, 405, 405, 405, 405, 401)},
    # -- third party ---------------------------------------------------------------------------
    "accounts/*":         LOOSE,
}


# Writes: (route, target, method, payload) → answer per persona. DONE / 200 / 201 mean the write
# went through and the database changed; any other answer means nothing was written.
#                                                  ban.tochuc ub.kiemtra bithu.phap bithu.duc dangvien ungvien anonymous
WRITES: dict[tuple[str, str | None, str, str], tuple] = {
    ("admission:step", "case_fr", "POST", "admission_course"):  E(DONE, 403, DONE, 404, 404, 404, LOGIN),
    # recording an applicant in a French cell: Germany's secretary cannot pick it (the form again, nothing written)
    ("admission:new", None, "POST", "admission_open_fr"):        E(DONE, 404, DONE, 200, 404, 404, LOGIN),
    ("api_admission_cases", None, "POST", "api_admission_open_fr"): E(201, 403, 201, 404, 403, 403, 401),
    ("admission:step", "case_de", "POST", "admission_course"):  E(DONE, 403, 404, DONE, 404, 404, LOGIN),
    # Out of order (a vote on a case still at the first step): the page says why (409), nothing written.
    ("admission:step", "case_fr", "POST", "admission_vote"):    E(409, 403, 409, 404, 404, 404, LOGIN),
    ("api_admission_actions", "case_fr", "POST", "api_admission_course"): E(200, 403, 200, 404, 404, 404, 401),
    ("api_admission_actions", "case_fr", "POST", "empty"):   E(400, 403, 400, 404, 404, 404, 401),
    ("members:edit", "member_fr", "POST", "member_form"):     E(DONE, 403, DONE, 404, 404, 404, LOGIN),
    ("members:edit", "member_de", "POST", "member_form"):     E(DONE, 403, 404, DONE, 404, 404, LOGIN),
    ("members:edit", "member_own", "POST", "member_form"):    E(DONE, 403, DONE, 404, 403, 404, LOGIN),
    ("members:status", "member_fr", "POST", "status_form"):   E(DONE, 403, DONE, 404, 404, 404, LOGIN),
    ("members:status", "member_own", "POST", "status_form"):  E(DONE, 403, DONE, 404, 403, 404, LOGIN),
    # bithu.duc is not offered a French unit: the form is shown again with an error, nothing written.
    ("members:new", None, "POST", "new_member_fr"):           E(DONE, 404, DONE, 200, 404, 404, LOGIN),
    # bulk: an empty upload shows the form again (200) to those who may import; nothing is written.
    ("bulk:import", None, "POST", "empty"):                   E(200, 403, 200, 200, 404, 404, LOGIN),
    ("bulk:job_run", "job_phap", "POST", "empty"):            E(404, 404, 200, 404, 404, 404, LOGIN),
    ("bulk:job_cancel", "job_phap", "POST", "empty"):         E(404, 404, 200, 404, 404, 404, LOGIN),
    # the exchange: no file chosen shows the form again to officers; nothing is written.
    ("bulk:exchange_import", None, "POST", "empty"):          E(200, 403, 403, 403, 404, 404, LOGIN),
    ("bulk:exchange_reconcile", None, "POST", "empty"):       E(200, 403, 403, 403, 404, 404, LOGIN),
    ("units:edit", "unit_fr", "POST", "unit_form"):           E(DONE, 403, 403, 404, 404, 404, LOGIN),
    ("units:edit", "unit_fr_dsq", "POST", "unit_form"):       E(DONE, 403, 403, 404, 403, 404, LOGIN),
    ("units:create_child", "unit_fr", "POST", "child_form"):  E(DONE, 403, 403, 404, 404, 404, LOGIN),
    ("units:close", "unit_fr_empty", "POST", "close_form"):   E(DONE, 403, 403, 404, 404, 404, LOGIN),
    ("members:post_new", "unit_fr", "POST", "post_form"):       E(DONE, 403, 403, 404, 404, 404, LOGIN),
    ("members:post_end", "post_fr", "POST", "post_end_form"):   E(DONE, 403, 403, 404, 404, 404, LOGIN),
    ("api_member", "member_fr", "PATCH", "api_patch"):        E(200, 403, 200, 404, 404, 404, 401),
    ("api_member", "member_own", "PATCH", "api_patch"):       E(200, 403, 200, 404, 403, 404, 401),
    # Permission comes before validation: a refused caller learns nothing from a bad body.
    ("api_member", "member_fr", "PATCH", "empty"):            E(400, 403, 400, 404, 404, 404, 401),
    ("api_member", "member_fr", "DELETE", "empty"):           E(405, 405, 405, 405, 405, 405, 401),
    ("api_members", None, "POST", "api_new_member_fr"):       E(201, 403, 201, 404, 403, 404, 401),
    ("api_units", None, "POST", "api_new_unit_fr"):           E(201, 403, 403, 404, 404, 404, 401),
    ("rules:detail", "rule:admission.decide_within", "POST", "rule_version_form"):
                                                              E(DONE, 403, 403, 403, 403, 403, LOGIN),
    ("rules:calendar", None, "POST", "calendar_day_form"):    E(DONE, 403, 403, 403, 403, 403, LOGIN),
    ("rules:calendar_remove", None, "POST", "calendar_remove_form"):
                                                              E(DONE, 403, 403, 403, 403, 403, LOGIN),
    ("deadlines:waive", "deadline_fr", "POST", "waive_form"):    E(DONE, 403, DONE, 404, 404, 404, LOGIN),
    ("deadlines:waive", "deadline_de", "POST", "waive_form"):    E(DONE, 403, 404, DONE, 404, 404, LOGIN),
    ("deadlines:waive", "deadline_own", "POST", "waive_form"):   E(DONE, 403, DONE, 404, 403, 404, LOGIN),
    # Permission before validation; a missing reason shows the page again with the error (200).
    ("deadlines:waive", "deadline_fr", "POST", "empty"):         E(200, 403, 200, 404, 404, 404, LOGIN),
    ("deadlines:explain", "deadline_fr_late", "POST", "explain_form"): E(DONE, 403, DONE, 404, 404, 404, LOGIN),
    # Past due but not yet flagged by the sweep: explainable; without a reason the page says why.
    ("deadlines:explain", "deadline_fr", "POST", "explain_form"):  E(DONE, 403, DONE, 404, 404, 404, LOGIN),
    ("deadlines:explain", "deadline_fr", "POST", "empty"):         E(200, 403, 200, 404, 404, 404, LOGIN),
    ("notifications:read", None, "POST", "unread_notifications"): E(DONE, DONE, DONE, DONE, DONE, DONE, LOGIN),
    ("deadlines:feed_manage", None, "POST", "feed_create"):      E(DONE, DONE, DONE, DONE, DONE, DONE, LOGIN),
    ("deadlines:feed_manage", None, "POST", "feed_revoke"):      E(DONE, DONE, DONE, DONE, DONE, DONE, LOGIN),
    # transfers: permission before validation; a visible object without the permission → 403
    ("transfers:act", "transfer_fr", "POST", "transfers_approve"):        E(DONE, 403, DONE, 404, 404, 404, LOGIN),
    ("transfers:new", "member_phap", "POST", "transfers_request"):        E(DONE, 403, DONE, 404, 404, 404, LOGIN),
    ("transfers:incoming", "member_fr_incoming", "POST", "transfers_incoming"):
                                                              E(DONE, 403, DONE, 404, 404, 404, LOGIN),
    ("transfers:review_new", "member_own", "POST", "transfers_review"):   E(DONE, 403, DONE, 404, DONE, 404, LOGIN),
    ("transfers:review_certify", "review_own", "POST", "transfers_certify"): E(DONE, 403, DONE, 404, 403, 404, LOGIN),
    ("transfers:hold_new", "member_fr", "POST", "transfers_hold"):        E(DONE, DONE, 403, 404, 404, 404, LOGIN),
    ("transfers:letter_void", "letter_fr", "POST", "transfers_void"):     E(DONE, 403, DONE, 404, 404, 404, LOGIN),
    ("transfers:orgs", None, "POST", "transfers_org"):                    E(DONE, 403, 403, 403, 404, 404, LOGIN),
    ("transfers:trip_new", "member_own", "POST", "transfers_trip"):       E(DONE, 403, DONE, 404, DONE, 404, LOGIN),
    ("transfers:trip", "trip_own", "POST", "transfers_trip_comment"):     E(DONE, 403, DONE, 404, 403, 404, LOGIN),
    ("transfers:declaration_new", "member_own", "POST", "transfers_declaration"):
                                                              E(DONE, 403, DONE, 404, DONE, 404, LOGIN),
    ("transfers:declaration", "declaration_own", "POST", "transfers_opinion"): E(DONE, 403, DONE, 404, 403, 404, LOGIN),
    ("transfers:exemption_new", "member_fr", "POST", "transfers_exemption"): E(DONE, 403, DONE, 404, 404, 404, LOGIN),
    ("transfers:exemption_new", "member_own", "POST", "transfers_exemption"): E(DONE, 403, DONE, 404, DONE, 404, LOGIN),
    ("transfers:exemption", "exemption_own", "POST", "transfers_opinion"): E(DONE, 403, DONE, 404, 403, 404, LOGIN),
    ("api_exemptions", None, "POST", "transfers_api_exemption"):          E(201, 403, 201, 404, 201, 404, 401),
    ("api_exemption_actions", "exemption_own", "POST", "transfers_api_opinion"): E(200, 403, 200, 404, 403, 404, 401),
    ("transfers:rotation", "unit_fr_lhs", "POST", "transfers_rotation"):  E(DONE, 403, DONE, 404, 404, 404, LOGIN),
    ("transfers:delegation_new", None, "POST", "transfers_delegation"):   E(DONE, 403, 403, 403, 403, 403, LOGIN),
    ("transfers:delegation_close", "unit_delegation", "POST", "transfers_close"):
                                                              E(DONE, 403, 404, 404, 404, 404, LOGIN),
    ("transfers:org_edit", "org_first", "POST", "transfers_org_edit"):    E(DONE, 403, 403, 403, 404, 404, LOGIN),
    ("transfers:org_active", "org_first", "POST", "transfers_org_deactivate"): E(DONE, 403, 403, 403, 404, 404, LOGIN),
    ("transfers:hold_close", "hold_us", "POST", "transfers_hold_close"):  E(DONE, DONE, 404, 404, 404, 404, LOGIN),
    ("api_transfers", None, "POST", "transfers_api_request"):             E(201, 403, 201, 404, 403, 403, 401),
    # without the right to write transfers the body is not even read: 403, not its field errors
    ("api_transfers", None, "POST", "empty"):                             E(400, 403, 400, 400, 403, 403, 401),
    ("api_transfer_actions", "transfer_fr", "POST", "transfers_api_approve"): E(200, 403, 200, 404, 404, 404, 401),
    ("api_transfer_actions", "transfer_approved", "POST", "transfers_api_issue"): E(200, 403, 200, 404, 404, 404, 401),
    ("api_transfer_actions", "transfer_approved", "POST", "empty"):          E(400, 403, 400, 404, 404, 404, 401),
    # box 2 of dangvien.phap's own letter: the member sees the transfer but may not write it (403)
    ("api_transfer_actions", "transfer_own", "POST", "transfers_api_forward"): E(200, 403, 200, 404, 403, 404, 401),
    # self-service: the member files for themselves, the cell for a member in scope; the inspector may not
    ("api_trips", None, "POST", "transfers_api_trip"):                    E(201, 403, 201, 404, 201, 404, 401),
    # no member named: the caller's own record (officers without one are told to name a member)
    ("api_trips", None, "POST", "transfers_api_trip_self"):               E(400, 400, 201, 201, 201, 400, 401),
    ("api_trip_actions", "trip_returned_own", "POST", "transfers_api_trip_report"):
                                                              E(200, 403, 200, 404, 200, 404, 401),
    # the trip has not ended yet: refused for its state (409) with the reason, nothing written
    ("api_trip_actions", "trip_decided_own", "POST", "transfers_api_trip_report"): E(409, 403, 409, 404, 409, 404, 401),
    ("api_trip_actions", "trip_own", "POST", "transfers_api_trip_comment"): E(200, 403, 200, 404, 403, 404, 401),
    ("api_trip_actions", "trip_de", "POST", "transfers_api_trip_comment"):  E(200, 403, 404, 200, 404, 404, 401),
    ("api_delegation_actions", "unit_delegation", "POST", "transfers_api_delegation_close"):
                                                              E(200, 403, 404, 404, 404, 404, 401),
    ("api_declarations", None, "POST", "transfers_api_declaration"):      E(201, 403, 201, 404, 201, 404, 401),
    ("api_declaration_actions", "declaration_own", "POST", "transfers_api_opinion"):
                                                              E(200, 403, 200, 404, 403, 404, 401),
    ("api_declaration_actions", "declaration_own", "POST", "empty"):       E(400, 403, 400, 404, 403, 404, 401),
    # the API twins of the transfer pages above (the same forms and payloads; page DONE → 201 / 200)
    ("api_transfer_incoming", "member_fr_incoming", "POST", "transfers_incoming"): E(201, 403, 201, 404, 404, 404, 401),
    ("api_transfer_incoming", "member_fr_incoming", "POST", "empty"):     E(400, 403, 400, 404, 404, 404, 401),
    ("api_return_reviews", "member_own", "POST", "transfers_review"):     E(201, 403, 201, 404, 201, 404, 401),
    ("api_return_review_certify", "review_own", "POST", "transfers_certify"): E(200, 403, 200, 404, 403, 404, 401),
    ("api_return_review_certify", "review_own", "POST", "empty"):         E(400, 403, 400, 404, 403, 404, 401),
    ("api_holds", "member_fr", "POST", "transfers_hold"):                 E(201, 201, 403, 404, 404, 404, 401),
    ("api_holds", "member_fr", "POST", "empty"):                          E(400, 400, 403, 404, 404, 404, 401),
    ("api_hold_close", "hold_us", "POST", "transfers_hold_close"):        E(200, 200, 404, 404, 404, 404, 401),
    ("api_letter_void", "letter_fr", "POST", "transfers_void"):           E(200, 403, 200, 404, 404, 404, 401),
    ("api_letter_void", "letter_fr", "POST", "empty"):                    E(400, 403, 400, 404, 404, 404, 401),
    ("api_organizations", None, "POST", "transfers_org"):                 E(201, 403, 403, 403, 404, 404, 401),
    ("api_organizations", None, "POST", "empty"):                         E(400, 403, 403, 403, 404, 404, 401),
    ("api_organization", "org_first", "PATCH", "transfers_org_edit"):     E(200, 403, 403, 403, 404, 404, 401),
    ("api_organization_active", "org_first", "POST", "transfers_org_deactivate"): E(200, 403, 403, 403, 404, 404, 401),
    ("api_rotation", "unit_fr_lhs", "POST", "transfers_api_rotation"):    E(201, 403, 201, 404, 404, 404, 401),
    ("api_rotation", "unit_fr_lhs", "POST", "empty"):                     E(400, 403, 400, 404, 404, 404, 401),
    ("api_delegations", None, "POST", "transfers_api_delegation"):        E(201, 403, 403, 403, 403, 403, 401),
    ("api_delegations", None, "POST", "empty"):                           E(400, 403, 403, 403, 403, 403, 401),
    # meetings: bithu.duc is not offered a French cell (form shown again); a member sees but may not act (403);
    # the ballot's eligible list holds no persona: a member of the cell is told so (200), nothing written.
    ("meetings:new", None, "POST", "meeting_form"):                       E(DONE, 404, DONE, 200, 404, 404, LOGIN),
    ("meetings:act", "meeting_fr_dsq", "POST", "meeting_notice"):         E(DONE, 403, DONE, 404, 403, 404, LOGIN),
    ("meetings:act", "meeting_de", "POST", "meeting_notice"):             E(DONE, 403, 404, DONE, 404, 404, LOGIN),
    # no step named: 400 with the reason for those who may take a step (a member may check in), 403 otherwise
    ("meetings:act", "meeting_fr_dsq", "POST", "empty"):                  E(400, 403, 400, 404, 400, 404, LOGIN),
    ("meetings:check_in", "meeting_fr_dsq_open", "POST", "meeting_check_in"): E(403, 403, DONE, 404, DONE, 404, LOGIN),
    ("meetings:vote", "box_fr_dsq", "POST", "meeting_vote"):              E(403, 403, 200, 404, 200, 404, LOGIN),
    # the receipt check only answers (by POST, to keep the code out of URLs): nothing is written
    ("meetings:receipt", "meeting_fr_dsq", "POST", "receipt_check"):      E(READ, READ, READ, 404, READ, 404, LOGIN),
    ("api_ballot_receipt", "box_fr_dsq", "POST", "receipt_check"):        E(READ, READ, READ, 404, READ, 404, 401),
    ("meetings:unit_settings", "unit_fr_dsq", "POST", "meeting_settings_form"):
                                                              E(DONE, 403, DONE, 404, 403, 404, LOGIN),
    ("api_meetings", None, "POST", "meeting_api_new"):                    E(201, 403, 201, 404, 403, 404, 401),
    ("api_meeting_actions", "meeting_fr_dsq", "POST", "meeting_api_attendance"): E(200, 403, 200, 404, 403, 404, 401),
    ("api_meeting_actions", "meeting_fr_dsq", "POST", "meeting_api_resolution"): E(200, 403, 200, 404, 403, 404, 401),
    # no step named: 400 for whoever may take a step here (a member may check in), 403 for the inspector
    ("api_meeting_actions", "meeting_fr_dsq", "POST", "empty"):       E(400, 403, 400, 404, 400, 404, 401),
    ("api_ballot_actions", "box_fr_dsq", "POST", "ballot_api_paper"):  E(200, 403, 200, 404, 403, 404, 401),
    # accounts: a person's own tokens and sessions; officers invite, resend, revoke, lock, grant, withdraw
    ("accounts:token_new", None, "POST", "token_form"):            E(SHOWN, SHOWN, SHOWN, SHOWN, SHOWN, SHOWN, LOGIN),
    # an unknown activation link: not found, nothing written, whoever asks
    ("accounts:activate", "link:unknown-link", "POST", "empty"):   E(404, 404, 404, 404, 404, 404, 404),
    ("accounts:token_revoke", "token_ban", "POST", "empty"):       E(DONE, 404, 404, 404, 404, 404, LOGIN),
    ("accounts:session_end", "session_all", "POST", "empty"):      E(DONE, DONE, DONE, DONE, DONE, DONE, LOGIN),
    ("accounts:invite", None, "POST", "staff_invite_fr"):          E(DONE, 403, 403, 403, 403, 403, LOGIN),
    ("accounts:user_resend", "account_invited_fr", "POST", "empty"): E(DONE, 403, DONE, 404, 403, 403, LOGIN),
    ("accounts:user_revoke", "account_invited_fr", "POST", "empty"): E(DONE, 403, DONE, 404, 403, 403, LOGIN),
    ("accounts:user_deactivate", "account_fr", "POST", "reason_form"): E(DONE, 403, DONE, 404, 403, 403, LOGIN),
    ("accounts:user_end_sessions", "account_fr", "POST", "empty"):    E(DONE, 403, DONE, 404, 403, 403, LOGIN),
    # no reason: the page again (400), nothing written
    ("accounts:user_deactivate", "account_fr", "POST", "empty"):   E(400, 403, 400, 404, 403, 403, LOGIN),
    ("accounts:role_grant", None, "POST", "role_grant_fr"):        E(DONE, 403, 403, 403, 403, 403, LOGIN),
    ("accounts:role_withdraw", "role_fr_officer", "POST", "reason_form"): E(DONE, 403, 403, 403, 403, 403, LOGIN),
    ("members:invite", "member_fr", "POST", "member_invite_email"): E(DONE, 403, DONE, 404, 404, 404, LOGIN),
    ("members:invite_unit", "unit_fr_dsq", "POST", "empty"):       E(DONE, 403, DONE, 404, 403, 404, LOGIN),
    ("admission:invite", "case_de", "POST", "invite_email"):       E(DONE, 403, 404, DONE, 404, 404, LOGIN),
    # a token cannot make more tokens: only a signed-in session may
    ("api_my_tokens", None, "POST", "api_token"): {"session": E(201, 201, 201, 201, 201, 201, 401),
                                                   "token": E(403, 403, 403, 403, 403, 403, 401)},
    ("api_my_token_revoke", "token_ban", "POST", "empty"):          E(200, 404, 404, 404, 404, 404, 401),
    ("api_my_session_end", "session_all", "POST", "empty"):         E(200, 200, 200, 200, 200, 200, 401),
    ("api_invitation_accept", None, "POST", "api_accept_unknown"):  E(404, 404, 404, 404, 404, 404, 404),
    ("api_accounts", None, "POST", "api_staff_invite_fr"):          E(201, 403, 403, 403, 403, 403, 401),
    ("api_account_resend", "account_invited_fr", "POST", "empty"):  E(200, 403, 200, 404, 403, 403, 401),
    ("api_account_revoke", "account_invited_fr", "POST", "empty"):  E(200, 403, 200, 404, 403, 403, 401),
    ("api_account_deactivate", "account_fr", "POST", "api_reason"): E(200, 403, 200, 404, 403, 403, 401),
    ("api_account_end_sessions", "account_fr", "POST", "empty"):     E(200, 403, 200, 404, 403, 403, 401),
    ("api_roles", None, "POST", "api_role_grant_fr"):               E(201, 403, 403, 403, 403, 403, 401),
    ("api_role_withdraw", "role_fr_officer", "POST", "api_reason"): E(200, 403, 403, 403, 403, 403, 401),
    ("api_member_invite", "member_fr", "POST", "member_invite_email"): E(201, 403, 201, 404, 404, 404, 401),
    ("api_unit_invite_members", "unit_fr_dsq", "POST", "empty"):    E(200, 403, 200, 404, 403, 404, 401),
    ("api_admission_invite", "case_de", "POST", "api_invite_email"): E(201, 403, 404, 201, 404, 404, 401),
    # the API twins of the status, committee, rulebook and calendar forms (the same payloads)
    ("api_member_status", "member_fr", "POST", "status_form"):   E(200, 403, 200, 404, 404, 404, 401),
    ("api_member_status", "member_own", "POST", "status_form"):  E(200, 403, 200, 404, 403, 404, 401),
    ("api_member_status", "member_fr", "POST", "empty"):         E(400, 403, 400, 404, 404, 404, 401),
    ("api_unit_posts", "unit_fr", "POST", "post_form"):          E(201, 403, 403, 404, 404, 404, 401),
    ("api_post_end", "post_fr", "POST", "post_end_form"):        E(200, 403, 403, 404, 404, 404, 401),
    ("api_rule", "rule:admission.decide_within", "POST", "rule_version_form"): E(201, 403, 403, 403, 403, 403, 401),
    ("rules:confirm", "rule_to_confirm", "POST", "rule_confirm_form"):   E(DONE, 403, 403, 403, 403, 403, LOGIN),
    ("api_rule_confirm", "rule_to_confirm", "POST", "rule_confirm_form"): E(200, 403, 403, 403, 403, 403, 401),
    ("api_calendar_days", None, "POST", "calendar_day_form"):    E(201, 403, 403, 403, 403, 403, 401),
    ("api_unit", "unit_fr", "PATCH", "api_unit_patch"):          E(200, 403, 403, 404, 404, 404, 401),
    ("api_unit", "unit_fr_dsq", "PATCH", "api_unit_patch"):      E(200, 403, 403, 404, 403, 404, 401),
    ("api_unit", "unit_fr", "PATCH", "empty"):                   E(400, 403, 403, 404, 404, 404, 401),
    ("api_unit_close", "unit_fr_empty", "POST", "close_form"):   E(200, 403, 403, 404, 404, 404, 401),
    ("api_deadline_waive", "deadline_fr", "POST", "waive_form"):   E(200, 403, 200, 404, 404, 404, 401),
    ("api_deadline_waive", "deadline_own", "POST", "waive_form"):  E(200, 403, 200, 404, 403, 404, 401),
    ("api_deadline_waive", "deadline_fr", "POST", "empty"):        E(400, 403, 400, 404, 404, 404, 401),
    ("api_deadline_explain", "deadline_fr_late", "POST", "explain_form"): E(200, 403, 200, 404, 404, 404, 401),
    ("api_my_notifications_read", None, "POST", "unread_notifications"): E(200, 200, 200, 200, 200, 200, 401),
    ("api_my_feed", None, "POST", "feed_create"):                E(200, 200, 200, 200, 200, 200, 401),
    ("api_my_feed", None, "POST", "feed_revoke"):                E(200, 200, 200, 200, 200, 200, 401),
    ("api_unit_meeting_settings", "unit_fr_dsq", "POST", "meeting_settings_form"): E(200, 403, 200, 404, 403, 404, 401),
    # the upload is multipart: a JSON body is refused (415) once the caller may import; nothing is written
    ("api_imports", None, "POST", "empty"):                      E(415, 403, 415, 415, 404, 404, 401),
    ("api_import_run", "job_phap", "POST", "empty"):             E(404, 404, 400, 404, 404, 404, 401),
    ("api_import_cancel", "job_phap", "POST", "empty"):          E(404, 404, 409, 404, 404, 404, 401),
    ("api_exchange_import", None, "POST", "empty"):              E(415, 403, 403, 403, 404, 404, 401),
    ("api_exchange_reconcile", None, "POST", "empty"):           E(415, 403, 403, 403, 404, 404, 401),
    ("api_calendar_day_remove", None, "POST", "calendar_remove_form"): E(200, 403, 403, 403, 403, 403, 401),
    # dues: the treasurer's writes need dues.record on the member's unit; a member sees their own but may not write
    ("dues:pay", "member_fr", "POST", "dues_pay"):                E(DONE, 403, DONE, 404, 404, 404, LOGIN),
    ("dues:pay", "member_own", "POST", "dues_pay"):               E(DONE, 403, DONE, 404, 403, 404, LOGIN),
    ("dues:pay", "member_fr", "POST", "empty"):                   E(400, 403, 400, 404, 404, 404, LOGIN),
    ("dues:unit", "unit_fr_lhs", "POST", "dues_month"):           E(DONE, 403, DONE, 404, 404, 404, LOGIN),
    ("dues:profile", "member_fr", "POST", "dues_profile"):        E(DONE, 403, DONE, 404, 404, 404, LOGIN),
    ("dues:decision", "member_fr", "POST", "dues_decision"):      E(DONE, 403, DONE, 404, 404, 404, LOGIN),
    ("dues:decision_revoke", "decision_own", "POST", "dues_reason"): E(DONE, 403, DONE, 404, 403, 404, LOGIN),
    ("dues:reverse", "entry_own", "POST", "dues_reason"):         E(DONE, 403, DONE, 404, 403, 404, LOGIN),
    ("dues:remit", "unit_fr_lhs", "POST", "dues_remit"):          E(DONE, 403, DONE, 404, 404, 404, LOGIN),
    ("dues:remittance", "remit_fr_dsq", "POST", "dues_confirm"):  E(DONE, 403, DONE, 404, 404, 404, LOGIN),
    ("dues:statement", "unit_fr_dsq", "POST", "empty"):           E(200, 403, 200, 404, 404, 404, LOGIN),
    ("dues:rates", None, "POST", "dues_rate"):                    E(DONE, 403, 403, 403, 404, 404, LOGIN),
    ("dues:exchange_rate", None, "POST", "dues_fx"):              E(DONE, 403, 403, 403, 404, 404, LOGIN),
    ("dues:exchange_rates_import", None, "POST", "empty"):        E(400, 403, 403, 403, 404, 404, LOGIN),
    ("api_dues_payments", "member_fr", "POST", "dues_api_pay"):   E(201, 403, 201, 404, 404, 404, 401),
    ("api_dues_payments", "member_own", "POST", "dues_api_pay"):  E(201, 403, 201, 404, 403, 404, 401),
    ("api_dues_payments", "member_fr", "POST", "empty"):          E(400, 403, 400, 404, 404, 404, 401),
    ("api_dues_unit", "unit_fr_lhs", "POST", "dues_api_month"):   E(201, 403, 201, 404, 404, 404, 401),
    ("api_dues_unit", "unit_fr_lhs", "POST", "empty"):            E(400, 403, 400, 404, 404, 404, 401),
    ("api_dues_profile", "member_fr", "POST", "dues_profile"):    E(201, 403, 201, 404, 404, 404, 401),
    ("api_dues_decisions", "member_fr", "POST", "dues_decision"): E(201, 403, 201, 404, 404, 404, 401),
    ("api_dues_decision_revoke", "decision_own", "POST", "dues_reason"): E(200, 403, 200, 404, 403, 404, 401),
    ("api_dues_reverse", "entry_own", "POST", "dues_reason"):     E(201, 403, 201, 404, 403, 404, 401),
    ("api_dues_reverse", "entry_own", "POST", "empty"):           E(400, 403, 400, 404, 403, 404, 401),
    ("api_dues_remittances", "unit_fr_lhs", "POST", "dues_remit"): E(201, 403, 201, 404, 404, 404, 401),
    ("api_dues_remittance_actions", "remit_fr_dsq", "POST", "dues_api_confirm"): E(200, 403, 200, 404, 404, 404, 401),
    # the statement is multipart: a JSON body is refused (415) once the caller may record; nothing is written
    ("api_dues_statement", "unit_fr_dsq", "POST", "empty"):       E(415, 403, 415, 404, 404, 404, 401),
    ("discipline:new", "?member={member_fr_dsq}", "POST", "discipline_open"): E(DONE, DONE, DONE, 404, 404, 404, LOGIN),
    ("discipline:act", "dcase_own", "POST", "discipline_explain"): E(404, 404, DONE, 404, DONE, 404, LOGIN),
    ("api_discipline_cases", None, "POST", "discipline_api_open"): E(201, 201, 201, 404, 403, 403, 401),
    ("discipline:notice_new", "?member={member_fr_dsq}", "POST", "discipline_notice"):
        E(DONE, DONE, DONE, 404, 404, 404, LOGIN),
    ("api_discipline_notices", None, "POST", "discipline_api_notice"): E(201, 201, 201, 404, 403, 403, 401),
    ("discipline:notice_act", "dnotice_own", "POST", "discipline_notice_close"):
        E(404, 404, DONE, 404, 403, 404, LOGIN),
    ("api_discipline_notice_actions", "dnotice_own", "POST", "discipline_api_notice_close"):
        E(404, 404, 200, 404, 403, 404, 401),
    ("api_discipline_case_actions", "dcase_own", "POST", "discipline_api_explain"):
        E(404, 404, 200, 404, 200, 404, 401),
    # study: plan and attendance by those managing the cell's meetings (a visible session: 403), the reflection by a
    # member on the cell's rolls only (bithu.phap is one, on PHAP-DSQ's rolls: his own reflection), certificates by
    # whoever edits the person's record
    ("study:session_new", None, "POST", "study_plan"):            E(DONE, 404, DONE, 400, 404, 404, LOGIN),
    ("api_study_sessions", None, "POST", "study_api_plan"):       E(201, 403, 201, 404, 403, 403, 401),
    ("study:attendance", "session_fr", "POST", "study_attendance"): E(DONE, 403, DONE, 404, 403, 404, LOGIN),
    ("api_study_session_attendance", "session_fr", "POST", "study_api_attendance"):
        E(200, 403, 200, 404, 403, 404, 401),
    ("study:reflection_write", "session_fr", "POST", "study_reflection"): E(404, 404, DONE, 404, DONE, 404, LOGIN),
    ("api_study_session_reflection", "session_fr", "POST", "study_api_reflection"):
        E(404, 404, 201, 404, 201, 404, 401),
    ("study:certificates", "?member={member_own}", "POST", "study_certificate"):
        E(DONE, 403, DONE, 404, 403, 404, LOGIN),
    ("api_study_certificates", None, "POST", "study_api_certificate"): E(201, 403, 201, 404, 403, 403, 401),
    ("study:certificate_delete", "cert_own", "POST", "empty"):    E(DONE, 403, DONE, 404, 403, 404, LOGIN),
    ("api_study_certificate_delete", "cert_own", "POST", "empty"): E(200, 403, 200, 404, 403, 404, 401),
    # library: permission before validation; an empty body shows the form again (400) to those who may act; the
    # uploads are multipart (a JSON body: 415); a register entry is written in the committee's own register only
    ("library:new", None, "POST", "empty"):                       E(400, 404, 400, 400, 404, 404, LOGIN),
    ("api_library_documents", None, "POST", "empty"):             E(415, 403, 415, 415, 403, 403, 401),
    ("library:version", "doc_fr", "POST", "empty"):               E(400, 403, 403, 404, 403, 404, LOGIN),
    ("api_library_document_versions", "doc_fr", "POST", "empty"): E(415, 403, 403, 404, 403, 404, 401),
    ("library:classified", None, "POST", "empty"):                E(400, 404, 400, 400, 403, 404, LOGIN),
    ("api_library_classified", None, "POST", "empty"):            E(400, 403, 400, 400, 403, 403, 401),
    ("api_library_classified", None, "POST", "library_api_classified"): E(400, 403, 201, 400, 403, 403, 401),
    ("library:handover", "classified_fr", "POST", "empty"):            E(400, 404, 400, 404, 403, 404, LOGIN),
    ("api_library_entry_handovers", "classified_fr", "POST", "empty"): E(400, 404, 400, 404, 403, 404, 401),
    ("library:destroy", "classified_fr", "POST", "empty"):             E(400, 404, 400, 404, 403, 404, LOGIN),
    ("api_library_entry_destroy", "classified_fr", "POST", "empty"):   E(400, 404, 400, 404, 403, 404, 401),
    # only the receiver acknowledges a hand-over
    ("library:acknowledge", "handover_fr", "POST", "empty"):      E(403, 404, 403, 404, DONE, 404, LOGIN),
    ("api_library_handover_acknowledge", "handover_fr", "POST", "empty"): E(403, 404, 403, 404, 200, 404, 401),
    # inspection: only the committee itself acts in its name (the level above, which sees France's plans, is refused:
    # France is not offered to it (400) or the step is refused (403)); another country's committee is not offered or
    # not found; the subject explains and takes none of the committee's steps; nothing written on any refusal
    ("inspection:plan_new", None, "POST", "inspection_plan"):     E(400, 400, DONE, 400, 404, 404, LOGIN),
    ("api_inspection_plans", None, "POST", "inspection_api_plan"): E(400, 400, 201, 400, 403, 403, 401),
    ("inspection:plan", "plan_fr", "POST", "inspection_item"):    E(403, 403, DONE, 404, 404, 404, LOGIN),
    ("api_inspection_plan_items", "plan_fr", "POST", "inspection_api_item"): E(403, 403, 201, 404, 404, 404, 401),
    ("inspection:plan_notes", "plan_fr_sup", "POST", "inspection_note"): E(403, 403, DONE, 404, 404, 404, LOGIN),
    ("api_inspection_plan_notes", "plan_fr_sup", "POST", "inspection_api_note"):
        E(403, 403, 201, 404, 404, 404, 401),
    # notes belong to a plan of supervision: none on a plan of inspection
    ("inspection:plan_notes", "plan_fr", "POST", "inspection_note"): E(404, 404, 404, 404, 404, 404, LOGIN),
    ("api_inspection_plan_notes", "plan_fr", "POST", "inspection_api_note"): E(404, 404, 404, 404, 404, 404, 401),
    ("inspection:item_act", "item_fr", "POST", "inspection_item_start"): E(403, 403, DONE, 404, 404, 404, LOGIN),
    ("api_inspection_item_actions", "item_fr", "POST", "inspection_api_item_start"):
        E(403, 403, 200, 404, 404, 404, 401),
    ("inspection:new", "?member={member_fr_dsq}", "POST", "inspection_open"): E(400, 400, DONE, 404, 404, 404, LOGIN),
    ("api_inspection_cases", None, "POST", "inspection_api_open"): E(403, 403, 201, 400, 403, 403, 401),
    # the committee's steps on icase_explained: ub.kiemtra (the level above, on its team) sees it and is refused, the
    # subject (dangvien.phap) is refused, the others do not see it
    ("inspection:case_act", "icase_explained", "POST", "inspection_assign"): E(404, 403, DONE, 404, 403, 404, LOGIN),
    ("api_inspection_case_actions", "icase_explained", "POST", "inspection_api_assign"):
        E(404, 403, 200, 404, 403, 404, 401),
    ("inspection:case_act", "icase_explained", "POST", "inspection_conclude"): E(404, 403, DONE, 404, 403, 404, LOGIN),
    ("api_inspection_case_actions", "icase_explained", "POST", "inspection_api_conclude"):
        E(404, 403, 200, 404, 403, 404, 401),
    ("inspection:case_act", "icase_explained", "POST", "inspection_drop"): E(404, 403, DONE, 404, 403, 404, LOGIN),
    ("api_inspection_case_actions", "icase_explained", "POST", "inspection_api_drop"):
        E(404, 403, 200, 404, 403, 404, 401),
    ("inspection:case_act", "icase_own", "POST", "inspection_explain"): E(404, 404, DONE, 404, DONE, 404, LOGIN),
    ("api_inspection_case_actions", "icase_own", "POST", "inspection_api_explain"):
        E(404, 404, 200, 404, 200, 404, 401),
    # reports: only the unit's own officers file its report; the upper committee defines templates and reminds
    ("reports:open", None, "POST", "reports_open"):                 E(403, 403, DONE, 404, 404, 404, LOGIN),
    ("api_reports", None, "POST", "reports_api_open"):             E(403, 403, 201, 404, 403, 403, 401),
    ("reports:report", "report_fr_draft", "POST", "reports_write"): E(403, 403, DONE, 404, 404, 404, LOGIN),
    ("api_report", "report_fr_draft", "PATCH", "reports_api_write"): E(403, 403, 200, 404, 404, 404, 401),
    ("reports:act", "report_fr", "POST", "reports_correct"):        E(403, 403, DONE, 404, 404, 404, LOGIN),
    ("api_report_actions", "report_fr", "POST", "reports_api_correct"): E(403, 403, 200, 404, 404, 404, 401),
    ("reports:templates", None, "POST", "reports_template"):        E(DONE, 403, 404, 404, 404, 404, LOGIN),
    ("api_report_templates", None, "POST", "reports_api_template"): E(201, 403, 404, 404, 403, 403, 401),
    ("reports:template", "template_root", "POST", "reports_template_change"): E(DONE, 403, 404, 404, 404, 404, LOGIN),
    ("api_report_template", "template_root", "PATCH", "reports_api_template_change"):
        E(200, 403, 404, 404, 404, 404, 401),
    ("reports:remind", None, "POST", "reports_remind"):             E(DONE, 403, 404, 403, 404, 404, LOGIN),
    ("api_report_reminders", None, "POST", "reports_api_remind"):   E(201, 403, 404, 403, 403, 403, 401),
    # programs: the unit's own committee writes its program; the level above reads it, hands items down and reminds
    ("programs:new", None, "POST", "programs_program"):            E(400, 403, DONE, 400, 404, 404, LOGIN),
    ("api_programs", None, "POST", "programs_api_program"):        E(400, 403, 201, 400, 403, 403, 401),
    ("programs:program", "program_fr", "POST", "programs_item"):   E(403, 403, DONE, 404, 404, 404, LOGIN),
    ("api_program_items", "program_fr", "POST", "programs_api_item"): E(403, 403, 201, 404, 404, 404, 401),
    ("programs:item_act", "pitem_fr", "POST", "programs_complete"): E(403, 403, DONE, 404, 404, 404, LOGIN),
    ("api_program_item_actions", "pitem_fr", "POST", "programs_api_complete"): E(403, 403, 200, 404, 404, 404, 401),
    ("programs:item_act", "pitem_fr", "POST", "programs_remind"):   E(DONE, 403, 403, 404, 404, 404, LOGIN),
    ("api_program_item_actions", "pitem_fr", "POST", "programs_api_remind"): E(200, 403, 403, 404, 404, 404, 401),
    ("programs:item_act", "pitem_root", "POST", "programs_hand_down"): E(DONE, 403, 404, 404, 404, 404, LOGIN),
    ("api_program_item_actions", "pitem_root", "POST", "programs_api_hand_down"):
        E(200, 403, 404, 404, 404, 404, 401),
    ("programs:proposal_new", None, "POST", "programs_proposal"):  E(403, 403, DONE, 400, 404, 404, LOGIN),
    ("api_proposals", None, "POST", "programs_api_proposal"):      E(403, 403, 201, 400, 403, 403, 401),
    ("programs:proposal_act", "proposal_fr", "POST", "programs_answer"): E(DONE, 403, 403, 404, 404, 404, LOGIN),
    ("api_proposal_actions", "proposal_fr", "POST", "programs_api_answer"): E(200, 403, 403, 404, 404, 404, 401),
    ("programs:proposal_act", "proposal_fr", "POST", "programs_withdraw"): E(403, 403, DONE, 404, 404, 404, LOGIN),
    ("api_proposal_actions", "proposal_fr", "POST", "programs_api_withdraw"): E(403, 403, 200, 404, 404, 404, 401),
    ("grading:index", None, "POST", "grading_open"):             E(DONE, 403, DONE, 400, 403, 404, LOGIN),
    ("grading:period_act", "period_root", "POST", "grading_remind"): E(DONE, 403, 403, 403, 404, 404, LOGIN),
    ("grading:review_act", "grading_review_own", "POST", "grading_save"): E(DONE, 403, DONE, 404, DONE, 404, LOGIN),
    ("grading:unit_review_act", "unit_review_fr_dsq", "POST", "grading_unit_submit"):
        E(DONE, 403, DONE, 404, 404, 404, LOGIN),
    ("api_grading_periods", None, "POST", "grading_api_open"):    E(201, 403, 201, 400, 403, 403, 401),
    ("api_grading_periods", None, "POST", "empty"):               E(400, 403, 400, 400, 403, 403, 401),
    ("api_grading_period_actions", "period_root", "POST", "grading_api_remind"): E(200, 403, 403, 403, 404, 404, 401),
    ("api_grading_review_actions", "grading_review_own", "POST", "grading_api_save"):
        E(200, 403, 200, 404, 200, 404, 401),
    ("api_grading_unit_review_actions", "unit_review_fr_dsq", "POST", "grading_api_unit_submit"):
        E(200, 403, 200, 404, 404, 404, 401),
    ("api_dues_rates", None, "POST", "dues_rate"):                E(201, 403, 403, 403, 404, 404, 401),
    ("api_dues_exchange_rates", None, "POST", "dues_fx"):         E(201, 403, 403, 403, 404, 404, 401),
    ("api_dues_exchange_rates_import", None, "POST", "empty"):    E(415, 403, 403, 403, 404, 404, 401),
    # privacy: a person files about themself (the organization officer, without a member record, must name a former
    # member); the officers in charge answer and export; the member never answers their own request
    ("privacy:new", None, "POST", "privacy_file"):                E(400, 404, DONE, DONE, DONE, DONE, LOGIN),
    ("api_privacy_requests", None, "POST", "privacy_api_file"):   E(403, 403, 201, 201, 201, 201, 401),
    ("privacy:act", "preq_own", "POST", "privacy_answer"):        E(DONE, 404, DONE, 404, 403, 404, LOGIN),
    ("api_privacy_request_actions", "preq_own", "POST", "privacy_api_answer"): E(200, 404, 200, 404, 403, 404, 401),
    ("privacy:export", "preq_own", "POST", "privacy_export"):     E(SHOWN, 404, SHOWN, 404, SHOWN, 404, LOGIN),
    ("api_privacy_request_export", "preq_own", "POST", "privacy_api_export"): E(200, 404, 200, 404, 200, 404, 401),
    ("privacy:breaches", None, "POST", "privacy_breach"):         E(DONE, 404, 404, 404, 404, 404, LOGIN),
    ("api_privacy_breaches", None, "POST", "privacy_api_breach"): E(201, 403, 403, 403, 403, 403, 401),
    ("privacy:breach_act", "breach_top", "POST", "privacy_notify"): E(DONE, 404, 404, 404, 404, 404, LOGIN),
    ("api_privacy_breach_actions", "breach_top", "POST", "privacy_api_notify"): E(200, 404, 404, 404, 404, 404, 401),
    ("privacy:anonymise", None, "POST", "privacy_anonymise"):     E(DONE, 404, 404, 404, 404, 404, LOGIN),
    ("api_privacy_anonymise", None, "POST", "privacy_api_anonymise"): E(201, 403, 403, 403, 403, 403, 401),
}


# --------------------------------------------------------------------------------------------------
# Routes of the project
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Route:
    ident: str          # the namespaced URL name, or the route pattern when unnamed
    pattern: str        # the full route, e.g. "members/<int:pk>/edit/"
    name: str | None
    module: str         # module of the view
    kwargs: tuple[str, ...]
    converters: dict = field(default_factory=dict, compare=False, hash=False)
    callback: object = field(default=None, compare=False, hash=False)


def project_routes(resolver=None) -> dict[str, Route]:
    """Every URL pattern reachable from the root URLconf, keyed by identifier."""
    found: list[Route] = []

    def walk(res, prefix: str, namespace: str | None, kwargs: tuple, converters: dict) -> None:
        for entry in res.url_patterns:
            entry_kwargs = kwargs + tuple(entry.pattern.regex.groupindex)
            entry_converters = {**converters, **getattr(entry.pattern, "converters", {})}
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                walk(entry, prefix + str(entry.pattern), inner, entry_kwargs, entry_converters)
            elif isinstance(entry, URLPattern):
                name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
                callback = entry.callback
                module = getattr(getattr(callback, "view_class", None), "__module__", None) or callback.__module__
                found.append(Route(ident=name or prefix + str(entry.pattern), pattern=prefix + str(entry.pattern),
                                   name=name, module=module, kwargs=entry_kwargs, converters=entry_converters,
                                   callback=callback))

    walk(resolver or get_resolver(), "", None, (), {})
    counts: dict[str, int] = {}
    for route in found:
        counts[route.ident] = counts.get(route.ident, 0) + 1
    routes: dict[str, Route] = {}
    for route in found:  # two patterns under one name: tell them apart by their pattern
        ident = route.ident if counts[route.ident] == 1 else f"{route.ident} {route.pattern}"
        routes[ident] = Route(ident, route.pattern, route.name, route.module, route.kwargs, route.converters,
                              route.callback)
    return routes


def prefix_rules() -> dict[str, object]:
    return {key[:-1]: value for key, value in MATRIX.items() if key.endswith("*")}


def entry_for(route: Route):
    """The MATRIX entry covering ``route``: its exact entry, or a third-party prefix rule."""
    if route.ident in MATRIX:
        return MATRIX[route.ident]
    if route.module.startswith(THIRD_PARTY_MODULES):
        for prefix, value in prefix_rules().items():
            if route.pattern.startswith(prefix):
                return value
    return None


def write_methods(route: Route) -> set[str]:
    """Unsafe HTTP methods the view of ``route`` accepts (function views by their decorator)."""
    view_class = getattr(route.callback, "view_class", None) or getattr(route.callback, "cls", None)
    if view_class is not None:
        return {m.upper() for m in ("post", "put", "patch", "delete") if hasattr(view_class, m)}
    methods: set[str] = set()
    func = route.callback
    while func is not None:
        for cell in getattr(func, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if isinstance(value, (list, tuple, set, frozenset)) and all(isinstance(v, str) for v in value):
                methods |= {v.upper() for v in value} & {"POST", "PUT", "PATCH", "DELETE"}
        func = getattr(func, "__wrapped__", None)
    return methods


# --------------------------------------------------------------------------------------------------
# The demo objects the URLs point at
# --------------------------------------------------------------------------------------------------
@dataclass
class Env:
    targets: dict[str, int]
    names: dict[str, str]          # member targets → full name (must not appear on a 404)
    own: dict[str, int | None]     # persona → own member id
    clients: dict[str, Client]
    objects: dict[str, object]


def add_targets(ids: dict[str, int], more: dict[str, int]) -> None:
    """Each app's matrix fixtures under their own names: two apps naming an object alike would silently swap
    one object for the other in every expectation."""
    clash = sorted(set(ids) & set(more))
    assert not clash, f"two apps name these matrix targets alike: {clash}"
    ids.update(more)


@pytest.fixture
def targets(personas, unit):
    from chibo.members.models import ACTIVE_STATUSES, CommitteePost, Member, Status
    from chibo.units.models import Unit

    own = personas["dangvien.phap"].member
    phap_self = personas["bithu.phap"].member
    with_posts = CommitteePost.objects.filter(to_date__isnull=True).values("member_id")

    def member_in(code: str, **extra) -> Member:
        member = (Member.objects.filter(unit__code=code, status=Status.FULL, **extra)
                  .exclude(pk__in=[own.pk, phap_self.pk]).exclude(pk__in=with_posts).order_by("pk").first())
        assert member is not None, f"the demo has no plain full member in {code}"
        return member

    def current_post(code: str) -> CommitteePost:
        post = CommitteePost.objects.filter(unit__code=code, to_date__isnull=True).order_by("pk").first()
        assert post is not None, f"the demo has no sitting committee member in {code}"
        return post

    members = {
        "member_own": own,
        "member_fr_dsq": member_in("PHAP-DSQ"),
        "member_fr": member_in("PHAP-LHS"),
        "member_phap": phap_self,
        "member_de": member_in("DUC-FRA"),
        "member_us": member_in("HOAKY-DSQ"),
    }
    assert own.unit.code == "PHAP-DSQ" and own.status in ACTIVE_STATUSES
    units = {
        "unit_root": unit("DUBNG"), "unit_fr": unit("PHAP"), "unit_fr_dsq": unit("PHAP-DSQ"),
        "unit_fr_lhs": unit("PHAP-LHS"), "unit_de": unit("DUC"), "unit_de_cell": unit("DUC-FRA"),
        "unit_us": unit("HOAKY"), "unit_closed": unit("DOAN-APEC17"),
    }
    assert units["unit_closed"].closed_on is not None
    posts = {"post_fr": current_post("PHAP"), "post_fr_dsq": current_post("PHAP-DSQ"), "post_de": current_post("DUC")}
    objects = {**members, **units, **posts, **deadline_targets(members, units), **admission_targets(personas, units)}
    ids = {name: obj.pk for name, obj in objects.items()}
    add_targets(ids, feed_targets(personas))
    from chibo.bulk.tests.matrix import import_job_targets

    add_targets(ids, import_job_targets(personas))
    from chibo.transfers.tests.matrix import transfer_targets

    add_targets(ids, transfer_targets(personas, members, units))
    from chibo.meetings.tests.matrix import meeting_targets

    add_targets(ids, {name: obj.pk for name, obj in meeting_targets(units).items()})
    from chibo.accounts.tests.matrix import account_targets

    add_targets(ids, account_targets(personas, units))
    from chibo.dues.tests.matrix import dues_targets

    add_targets(ids, dues_targets(personas, members, units))
    from chibo.discipline.tests.matrix import discipline_targets

    add_targets(ids, discipline_targets(personas, members, units))
    from chibo.study.tests.matrix import study_targets

    add_targets(ids, study_targets(personas, members, units))
    from chibo.inspection.tests.matrix import inspection_targets

    add_targets(ids, inspection_targets(personas, members, units))
    from chibo.programs.tests.matrix import programs_targets

    add_targets(ids, programs_targets(personas, units))
    from chibo.reports.tests.matrix import reports_targets

    add_targets(ids, reports_targets(personas, units))
    from chibo.library.tests.matrix import library_targets

    add_targets(ids, library_targets(personas, members, units))
    from chibo.grading.tests.matrix import grading_targets

    add_targets(ids, grading_targets(personas, members, units))
    from chibo.privacy.tests.matrix import privacy_targets

    add_targets(ids, privacy_targets(personas))
    from chibo.members.tests.matrix import quality_targets

    add_targets(ids, quality_targets())  # type: ignore[arg-type]  # the drill-down's key is a string
    from chibo.home.tests.matrix import help_targets

    add_targets(ids, help_targets())  # type: ignore[arg-type]  # a guide's key is a string
    ids["deadline_missing"] = max(ids[k] for k in ids if k.startswith("deadline_")) + 1000
    ids["case_missing"] = ids["case_de"] + 1000
    ids["unit_missing"] = (Unit.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000
    ids["member_missing"] = (Member.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000
    ids["post_missing"] = (CommitteePost.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000
    from chibo.core.models import Rule

    ids["rule_to_confirm"] = Rule.objects.filter(confidence="to_confirm").order_by("pk").values_list("pk", flat=True)[0]
    return ids, objects


def deadline_targets(members, units) -> dict:
    """Deadlines opened by the service for the member targets (one per scope, dangvien.phap's own),
    plus one marked late (its lateness can be explained)."""
    from chibo.core.access import SYSTEM
    from chibo.deadlines.models import Deadline, State
    from chibo.deadlines.services import deadline_open

    def make(member, start=date(2025, 6, 2)):
        return deadline_open(actor=SYSTEM, kind="probation.confirmation", unit=member.unit, member=member,
                             start=start,
                             title=said("Xét công nhận đảng viên chính thức: %(name)s", name=member.full_name))

    found = {"deadline_own": make(members["member_own"]), "deadline_fr": make(members["member_fr"]),
             "deadline_de": make(members["member_de"]), "deadline_us": make(members["member_us"]),
             "deadline_fr_late": make(members["member_fr"], start=date(2025, 3, 3))}
    Deadline.objects.filter(pk=found["deadline_fr_late"].pk).update(state=State.LATE)
    assert found["deadline_fr"].unit == units["unit_fr_lhs"] and found["deadline_de"].unit == units["unit_de_cell"]
    return found


def admission_targets(personas, units) -> dict:
    """ungvien.phap's own case (PHAP-DSQ, at its first step) and a German one."""
    from chibo.admission.models import AdmissionCase
    from chibo.admission.services import applicant_record
    from chibo.core.access import actor_from_user

    officer = actor_from_user(personas["ban.tochuc"])
    german = applicant_record(actor=officer, unit=units["unit_de_cell"], full_name="Hoàng Văn Đức", gender="M",
                              birth_date=date(1999, 4, 2), recorded_on=date(2025, 9, 1))
    return {"case_fr": AdmissionCase.objects.get(applicant_id=personas["ungvien.phap"].applicant_id),
            "case_de": german.case}


def feed_targets(personas) -> dict[str, str]:
    """Calendar feed keys (strings, not ids): a live one, a revoked one, one that never existed."""
    from chibo.core.access import SYSTEM
    from chibo.deadlines.feeds import feed_token_create, feed_token_revoke

    revoked = feed_token_create(actor=SYSTEM, user=personas["bithu.duc"])
    feed_token_revoke(actor=SYSTEM, user=personas["bithu.duc"])
    return {"feed_own": feed_token_create(actor=SYSTEM, user=personas["bithu.phap"]), "feed_revoked": revoked,
            "feed_missing": "Zm9yZ2VkLWZlZWQta2V5LXRoYXQtZG9lcy1ub3QtZXhpc3Q"}


def _session_clients(client_of) -> dict[str, Client]:
    return {p: (Client() if p == "anonymous" else client_of(p)) for p in PERSONAS}


def _token_clients(personas) -> dict[str, Client]:
    from chibo.accounts.services import token_create
    from chibo.core.access import SYSTEM

    clients = {p: Client(headers={"authorization": f"Token {token_create(actor=SYSTEM, user=personas[p])}"})
               for p in PERSONAS if p != "anonymous"}
    clients["anonymous"] = Client(headers={"authorization": "Token not-a-real-token-0123456789"})
    return clients


def _env(personas, targets, clients) -> Env:
    ids, objects = targets
    names = {name: obj.full_name for name, obj in objects.items() if name.startswith("member_")}
    names.update({name: obj.member.full_name for name, obj in objects.items() if name.startswith("deadline_")})
    own = {p: (personas[p].member_id if p in personas else None) for p in PERSONAS}
    return Env(targets=ids, names=names, own=own, clients=clients, objects=objects)


# --------------------------------------------------------------------------------------------------
# Running a request and judging the answer
# --------------------------------------------------------------------------------------------------
def build_url(route: Route, target: str | None, env: Env) -> str:
    if target is not None and target.startswith("?"):
        if route.kwargs:
            raise ValueError(f"{route.ident} takes {route.kwargs}: a query target is not enough")
        return reverse(route.name) + target.format(**env.targets)
    if not route.kwargs:
        if target is not None:
            raise ValueError(f"{route.ident} takes no URL arguments but the matrix names target {target!r}")
        return reverse(route.name)
    if target is None:
        raise ValueError(f"{route.ident} takes {route.kwargs}: name a target object")
    if target.startswith("link:"):  # an activation link: the target is the token itself
        return reverse(route.name, kwargs={"token": target.removeprefix("link:")})
    if target.startswith("rule:"):  # rulebook routes: the target is the rule key itself
        return reverse(route.name, kwargs={"key": target.removeprefix("rule:")})
    if len(route.kwargs) != 1 or route.kwargs[0] not in ("pk", "key"):  # key: a string target (feed key)
        raise ValueError(f"{route.ident} takes {route.kwargs}: teach build_url how to fill them")
    return reverse(route.name, kwargs={route.kwargs[0]: env.targets[target]})


def send(client: Client, method: str, url: str, data=None):
    if method == "GET":
        return client.get(url)
    if method == "POST" and not url.startswith("/api/"):
        return client.post(url, data or {})
    return client.generic(method, url, json.dumps(data or {}), content_type="application/json")


def judge(response, expected, *, persona: str, env: Env, target: str | None) -> str | None:
    """None if the answer is the expected one, else what went wrong."""
    status = response.status_code
    location = response.get("Location", "")
    got = f"{status}" + (f" → {location}" if location else "")
    if expected == LOGIN:
        ok = status == 302 and location.startswith(LOGIN_URL + "?next=")
    elif expected == OWN:
        ok = status == 302 and location == reverse("members:detail", args=[env.own[persona]])
    elif expected == HOME:
        ok = status == 302 and location == "/"
    elif expected == DONE:
        ok = status == 302 and location.startswith("/") and not location.startswith(LOGIN_URL)
    elif expected in (SHOWN, READ):
        ok = status == 200
    else:
        ok = status == expected
    if not ok:
        return f"expected {expected}, got {got}"
    if status == 404 and target in env.names and env.names[target] in response.content.decode(errors="replace"):
        return f"404 but the body names {env.names[target]!r}"
    if status == 200 and response.get("Content-Type", "").startswith("text/html"):
        return duplicate_ids(response.content.decode(errors="replace"))
    return None


ID_ATTRIBUTE = re.compile(r"""<[^>]*?\sid=["']([^"']+)["']""")


def duplicate_ids(html: str) -> str | None:
    """A page whose elements share an id breaks its labels (a label points at the first element only: a
    second form's «Đồng tiền» would label the first form's field) and its in-page links."""
    seen = Counter(ID_ATTRIBUTE.findall(html))
    twice = sorted(i for i, n in seen.items() if n > 1)
    return f"the page repeats element ids {twice}" if twice else None


# The matrices run in SHARDS tests each, so that the test runner's workers share them (one test of every route
# took minutes, and the run waited for it at the end); shard k checks the entries whose position modulo SHARDS is k.
SHARDS = 4


def in_shard(position: int, shard: int) -> bool:
    return position % SHARDS == shard


def run_get_matrix(routes: dict[str, Route], env: Env, *, only_api: bool = False,
                   shard: int | None = None) -> tuple[list[str], int]:
    problems: list[str] = []
    checked = 0
    for position, (ident, route) in enumerate(sorted(routes.items())):
        entry = entry_for(route)
        if not isinstance(entry, dict) or (only_api and not route.pattern.startswith("api/")):
            continue
        if shard is not None and not in_shard(position, shard):
            continue
        for target, row in entry.items():
            try:
                url = build_url(route, target, env)
            except (ValueError, KeyError) as exc:
                problems.append(f"{ident} [{target}]: cannot build the URL: {exc!r}")
                continue
            for persona, expected in zip(PERSONAS, row, strict=True):
                checked += 1
                try:
                    response = env.clients[persona].get(url)
                except Exception as exc:  # a crash is a mismatch like any other; report them all
                    problems.append(f"GET {url} [{ident} {target}] as {persona}: raised {exc!r}")
                    continue
                problem = judge(response, expected, persona=persona, env=env, target=target)
                if problem:
                    problems.append(f"GET {url} [{ident} {target}] as {persona}: {problem}")
    return problems, checked


# --------------------------------------------------------------------------------------------------
# Coverage of the tables
# --------------------------------------------------------------------------------------------------
def uncovered(routes: dict[str, Route]) -> list[str]:
    return sorted(f"{r.ident}  ({r.pattern}, view in {r.module})" for r in routes.values() if entry_for(r) is None)


def stale(routes: dict[str, Route]) -> list[str]:
    problems = []
    for key, value in MATRIX.items():
        if key.endswith("*"):
            if not any(r.pattern.startswith(key[:-1]) and r.module.startswith(THIRD_PARTY_MODULES)
                       for r in routes.values()):
                problems.append(f"MATRIX[{key!r}]: the prefix rule matches no third-party route")
        elif key not in routes:
            problems.append(f"MATRIX[{key!r}]: no such route")
        elif not isinstance(value, dict) or not value:
            problems.append(f"MATRIX[{key!r}]: chibo's own routes need exact answers per target")
    for route_ident, *_ in WRITES:
        if route_ident not in routes:
            problems.append(f"WRITES: no such route {route_ident!r}")
    return problems


def test_every_route_has_a_matrix_entry():
    routes = project_routes()
    assert len(routes) > 40, sorted(routes)  # the walk reached the included URLconfs
    missing = uncovered(routes)
    assert not missing, "routes without an entry in MATRIX (add the expected answer per persona):\n" + \
        "\n".join(missing)


def test_matrix_has_no_stale_entries():
    problems = stale(project_routes())
    assert not problems, "\n".join(problems)


def test_chibo_routes_are_never_covered_by_a_prefix_rule():
    """chibo's own routes, the API and its schema must have exact entries."""
    loose = [r.ident for r in project_routes().values()
             if not r.module.startswith(THIRD_PARTY_MODULES) and r.ident not in MATRIX]
    assert not loose
    for ident in ("dashboard", "healthz", "audit_log", "my_dossier", "api_schema", "api_units", "api_unit",
                  "api_members", "api_member", "units:detail", "members:detail", "members:edit"):
        assert isinstance(MATRIX[ident], dict)


def test_every_write_route_has_write_checks():
    """A chibo view that accepts POST/PUT/PATCH/DELETE needs a row in WRITES for that method."""
    routes = project_routes()
    # The introspection sees through the decorators and DRF classes (else this test proves nothing).
    assert write_methods(routes["members:edit"]) == {"POST"}
    assert write_methods(routes["members:post_end"]) == {"POST"}
    assert write_methods(routes["api_member"]) == {"PATCH"}
    assert write_methods(routes["api_members"]) == {"POST"}
    assert write_methods(routes["api_unit"]) == {"PATCH"}
    assert write_methods(routes["members:detail"]) == set()
    covered = {(route, method) for route, _target, method, _payload in WRITES}
    missing = []
    for route in routes.values():
        if not route.module.startswith("chibo."):
            continue
        for method in sorted(write_methods(route)):
            if (route.ident, method) not in covered:
                missing.append(f"{route.ident} {method}")
    assert not missing, "write routes without a row in WRITES: " + ", ".join(missing)


def test_coverage_checks_catch_new_and_removed_routes():
    """The two checks above can fail: a route added to the URLconf is reported, and so is a stale entry."""
    from django.urls import path

    from chibo import urls as project_urls
    from chibo.home import views

    extended = URLResolver(RegexPattern(r"^/"), [*project_urls.urlpatterns,
                                                 path("exports/<int:pk>/", views.dashboard, name="export")])
    assert [line.split()[0] for line in uncovered(project_routes(extended))] == ["export"]
    trimmed = URLResolver(RegexPattern(r"^/"), [p for p in project_urls.urlpatterns
                                                if getattr(p, "name", None) != "audit_log"])
    assert "MATRIX['audit_log']: no such route" in stale(project_routes(trimmed))
    # A chibo view mounted under a third-party prefix is not swallowed by the prefix rule.
    sneaky = URLResolver(RegexPattern(r"^/"), [*project_urls.urlpatterns,
                                               path("accounts/members.csv", views.dashboard, name="csv")])
    assert [line.split()[0] for line in uncovered(project_routes(sneaky))] == ["csv"]


# --------------------------------------------------------------------------------------------------
# GET: every route × every persona
# --------------------------------------------------------------------------------------------------
def test_the_shards_cover_every_entry_once():
    routes = sorted(project_routes())
    assert sorted(p for shard in range(SHARDS) for p in range(len(routes)) if in_shard(p, shard)) == list(
        range(len(routes)))
    assert sorted(i for shard in range(SHARDS) for i in range(len(WRITES)) if in_shard(i, shard)) == list(
        range(len(WRITES)))


@pytest.mark.parametrize("shard", range(SHARDS))
def test_get_matrix_with_session(shard, personas, targets, client_of):
    env = _env(personas, targets, _session_clients(client_of))
    problems, checked = run_get_matrix(project_routes(), env, shard=shard)
    assert checked > 500 // SHARDS // 2
    assert not problems, f"{len(problems)} of {checked} answers differ from MATRIX:\n" + "\n".join(problems)


def test_api_matrix_with_token_auth(personas, targets):
    """The API answers the same with ``Authorization: Token …``; an unknown token is anonymous (401)."""
    env = _env(personas, targets, _token_clients(personas))
    problems, checked = run_get_matrix(project_routes(), env, only_api=True)
    assert checked > 150
    assert not problems, f"{len(problems)} of {checked} answers differ from MATRIX:\n" + "\n".join(problems)


def _loose_url(route: Route) -> str:
    kwargs = {}
    for name in route.kwargs:
        converter = route.converters.get(name)
        kwargs[name] = 1 if converter is not None and converter.regex == "[0-9]+" else "abc"
    return reverse(route.name, kwargs=kwargs) if route.name else "/" + route.pattern


def test_third_party_routes_never_fail_and_send_strangers_to_login(client_of):
    clients = _session_clients(client_of)
    for client in clients.values():
        client.raise_request_exception = False
    problems = []
    checked = 0
    for route in sorted(project_routes().values(), key=lambda r: r.pattern):
        if entry_for(route) != LOOSE:
            continue
        url = _loose_url(route)
        for persona, client in clients.items():
            checked += 1
            response = client.get(url)
            status, location = response.status_code, response.get("Location", "")
            if status >= 500:
                problems.append(f"GET {url} as {persona}: {status}")
            elif persona == "anonymous" and not (status == 200 or (status == 302 and location.startswith(LOGIN_URL))):
                problems.append(f"GET {url} as anonymous: {status} → {location!r}, expected 200 or the login page")
            elif status not in (200, 302, 404, 405):
                problems.append(f"GET {url} as {persona}: unexpected {status}")
            elif status == 302 and not location.startswith("/"):
                problems.append(f"GET {url} as {persona}: redirected off-site to {location!r}")
    assert checked > 100
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------------------------------
# Writes: every write route × every persona; refused requests change nothing
# --------------------------------------------------------------------------------------------------
def fingerprint() -> dict:
    """Everything a write of these routes could change."""
    from chibo.core.models import AuditEvent, CalendarDay, Rule
    from chibo.members.models import CommitteePost, Member, TimelineEvent
    from chibo.units.models import Unit, UnitChange

    return {
        "members": Member.objects.aggregate(n=Count("pk"), versions=Sum("version")),
        "member_rows": list(Member.objects.order_by("pk").values_list("pk", "version", "status", "unit_id")),
        "units": Unit.objects.aggregate(n=Count("pk"), versions=Sum("version"), closed=Count("closed_on")),
        "posts": CommitteePost.objects.aggregate(n=Count("pk"), ended=Count("to_date")),
        "timeline": TimelineEvent.objects.count(),
        "unit_changes": UnitChange.objects.count(),
        "rules": list(Rule.objects.order_by("pk").values_list("pk", "value", "effective_to")),
        "calendar_days": list(CalendarDay.objects.order_by("pk").values_list("pk", "day", "kind")),
        # Reads are audited too (member.viewed); everything else in the chain is a write.
        "audit_writes": AuditEvent.objects.exclude(Q(action__endswith="viewed") | Q(action__contains="denied"))
        .count(),
        **deadlines_fingerprint(),
        **admission_fingerprint(),
        **_transfers_fingerprint(),
        **_meetings_fingerprint(),
        **_accounts_fingerprint(),
        **_dues_fingerprint(),
        **_grading_fingerprint(),
        **_discipline_fingerprint(),
        **_inspection_fingerprint(),
        **_programs_fingerprint(),
        **_reports_fingerprint(),
        **_privacy_fingerprint(),
        **_library_fingerprint(),
    }


def _library_fingerprint() -> dict:
    from chibo.library.tests.matrix import library_fingerprint

    return library_fingerprint()


def _privacy_fingerprint() -> dict:
    from chibo.privacy.tests.matrix import privacy_fingerprint

    return privacy_fingerprint()


def _reports_fingerprint() -> dict:
    from chibo.reports.tests.matrix import reports_fingerprint

    return reports_fingerprint()


def _programs_fingerprint() -> dict:
    from chibo.programs.tests.matrix import programs_fingerprint

    return programs_fingerprint()


def _inspection_fingerprint() -> dict:
    from chibo.inspection.tests.matrix import inspection_fingerprint

    return inspection_fingerprint()


def _discipline_fingerprint() -> dict:
    from chibo.discipline.tests.matrix import discipline_fingerprint

    return discipline_fingerprint()


def _grading_fingerprint() -> dict:
    from chibo.grading.tests.matrix import grading_fingerprint

    return grading_fingerprint()


def _dues_fingerprint() -> dict:
    from chibo.dues.tests.matrix import dues_fingerprint

    return dues_fingerprint()


def _accounts_fingerprint() -> dict:
    from chibo.accounts.tests.matrix import accounts_fingerprint

    return accounts_fingerprint()


def _meetings_fingerprint() -> dict:
    from chibo.meetings.tests.matrix import meetings_fingerprint

    return meetings_fingerprint()


def _transfers_fingerprint() -> dict:
    from chibo.transfers.tests.matrix import transfers_fingerprint

    return transfers_fingerprint()


def admission_fingerprint() -> dict:
    from chibo.admission.models import AdmissionCase, Vote

    return {"admission_cases": list(AdmissionCase.objects.order_by("pk").values_list("pk", "stage", "version")),
            "admission_votes": Vote.objects.count()}


def deadlines_fingerprint() -> dict:
    from chibo.deadlines.models import Deadline, FeedToken
    from chibo.notifications.models import Message, Notification

    return {
        "deadlines": list(Deadline.objects.order_by("pk").values_list("pk", "state", "reason", "closed_at")),
        "notifications_unread": Notification.objects.filter(read_at__isnull=True).count(),
        "outbox_messages": Message.objects.count(),
        "feed_tokens": FeedToken.objects.aggregate(n=Count("pk"), revoked=Count("revoked_at")),
    }


def _d(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def payload(kind: str, target: str | None, env: Env):
    from chibo.members.forms import MemberForm
    from chibo.units.services import UNIT_FIELDS

    today = timezone.localdate()
    obj = env.objects.get(target) if target else None
    if kind == "empty":
        return {}
    from chibo.accounts.tests.matrix import account_payload

    try:
        return account_payload(kind, env)
    except KeyError:
        pass
    if kind.startswith(("meeting_", "ballot_")):
        from chibo.meetings.tests.matrix import meeting_payload

        return meeting_payload(kind, target, env)
    if kind == "member_form":
        obj.refresh_from_db()
        data = {}
        for name in MemberForm.base_fields:
            value = getattr(obj, name)
            data[name] = _d(value) if isinstance(value, date) else ("" if value is None else str(value))
        data["job_title"] = "Tham tán công sứ"
        data["version"] = str(obj.version)
        return data
    if kind == "status_form":
        return {"status": "exempt", "effective_on": _d(today - timedelta(days=1)),
                "document": "12-QĐ/ĐUBNG", "reason": "Tuổi cao, sức yếu"}
    if kind == "new_member_fr":
        return {"unit": str(env.targets["unit_fr_dsq"]), "status": "probationary", "full_name": "Lê Thị Thu Hà",
                "gender": "F", "birth_date": "02/09/1995", "ethnicity": "Kinh", "admission_date": "03/02/2026",
                "category": "mission_staff"}
    if kind == "unit_form":
        data = {name: getattr(obj, name) or "" for name in UNIT_FIELDS}
        data["city"] = "Lyon"
        data["version"] = str(obj.version)
        return data
    if kind == "child_form":
        return {"kind": "delegation_cell", "name": "Chi bộ tạm thời Đoàn công tác Paris 2026",
                "code": "DOAN-PARIS26", "country": "FR", "opened_on": _d(today - timedelta(days=10))}
    if kind == "close_form":
        return {"closed_on": _d(today), "document": "77-QĐ/ĐUBNG"}
    if kind == "post_form":
        return {"member": str(env.objects["member_fr"].pk), "role": "committee_member",
                "from_date": _d(today - timedelta(days=2)), "decision_no": "88-QĐ/ĐUBNG",
                "decision_date": _d(today - timedelta(days=3))}
    if kind == "post_end_form":
        return {"to_date": _d(today), "reason": "Chuyển công tác về nước"}
    if kind == "rule_confirm_form":
        return {"basis": "296-QĐ/TW ngày 30/5/2025, Điều 4 (đã đối chiếu)", "note": ""}
    if kind == "receipt_check":
        return {"receipt": "ABCD-EFGH-IJKL-MNOP", "box": str(env.targets["box_fr_dsq"])}
    if kind == "api_unit_patch":
        obj.refresh_from_db()
        return {"version": obj.version, "city": "Lyon"}
    if kind == "api_patch":
        obj.refresh_from_db()
        return {"version": obj.version, "job_title": "Tham tán công sứ"}
    if kind == "api_new_member_fr":
        return {"unit": env.targets["unit_fr_dsq"], "full_name": "Lê Thị Thu Hà", "gender": "F",
                "birth_date": "1995-09-02", "admission_date": "2026-02-03", "category": "mission_staff"}
    if kind == "api_new_unit_fr":
        return {"parent": env.targets["unit_fr"], "kind": "subordinate_cell", "name": "Chi bộ Lãnh sự quán tại Lyon",
                "code": "PHAP-LYON", "country": "FR", "city": "Lyon",
                "opened_on": (today - timedelta(days=10)).isoformat()}
    if kind == "rule_version_form":
        return {"value": "45", "effective_from": _d(today + timedelta(days=30)), "basis": "99-QĐ/TW 2026, Điều 5",
                "confidence": "confirmed", "note": ""}
    if kind == "calendar_day_form":
        return {"day": "09/01/2027", "kind": "working_day", "note": "Làm bù ngày 02/01/2027", "document": "CV 1/BNV"}
    if kind == "calendar_remove_form":
        from chibo.core.models import CalendarDay

        CalendarDay.objects.get_or_create(day=date(2027, 1, 10), defaults={"kind": "working_day", "note": "Làm bù"})
        return {"day": "10/01/2027", "reason": "Nhập nhầm"}
    if kind in ("waive_form", "explain_form"):
        return {"reason": "Đảng viên đã chuyển sinh hoạt đảng về nước trước khi hết thời gian dự bị"}
    if kind == "unread_notifications":  # every persona has one unread notification to mark read
        from chibo.accounts.models import User
        from chibo.notifications.models import Notification

        Notification.objects.bulk_create([Notification(user=u, title_vi="Sắp đến hạn", url="/deadlines/")
                                          for u in User.objects.filter(username__in=PERSONAS)])
        return {}
    if kind == "feed_create":
        return {"action": "create"}
    if kind == "feed_revoke":  # every persona has a live feed to revoke
        from chibo.accounts.models import User
        from chibo.deadlines.models import FeedToken

        FeedToken.objects.bulk_create([FeedToken(user=u, key_hash=f"{u.pk:064d}")
                                       for u in User.objects.filter(username__in=PERSONAS)])
        return {"action": "revoke"}
    if kind == "admission_open_fr":
        return {"unit": str(env.targets["unit_fr_dsq"]), "full_name": "Phạm Thu Hà", "gender": "F",
                "birth_date": "12/04/1999", "citizen_id": "001199012345", "email": "thuha@example.org"}
    if kind == "api_admission_open_fr":
        return {"unit": env.targets["unit_fr_dsq"], "full_name": "Phạm Thu Hà", "gender": "F",
                "birth_date": "1999-04-12", "citizen_id": "001199012345"}
    if kind == "admission_course":
        return {"do": "course", "certificate_no": "GCN 12/2026", "issuer": "Đảng ủy Bộ Ngoại giao",
                "on": _d(today - timedelta(days=3))}
    if kind == "api_admission_course":
        return {"action": "course", "certificate_no": "GCN 12/2026", "issuer": "Đảng ủy Bộ Ngoại giao",
                "on": (today - timedelta(days=3)).isoformat()}
    if kind == "admission_vote":
        return {"do": "cell_vote", "held_on": _d(today - timedelta(days=1)), "yes": "3", "no": "0"}
    if kind.startswith("study_"):
        from chibo.study.tests.matrix import study_payload

        return study_payload(kind, target, env)
    if kind.startswith("discipline_"):
        from chibo.discipline.tests.matrix import discipline_payload

        return discipline_payload(kind, target, env)
    if kind.startswith("privacy_"):
        from chibo.privacy.tests.matrix import privacy_payload

        return privacy_payload(kind, target, env)
    if kind.startswith("reports_"):
        from chibo.reports.tests.matrix import reports_payload

        return reports_payload(kind, target, env)
    if kind.startswith("programs_"):
        from chibo.programs.tests.matrix import programs_payload

        return programs_payload(kind, target, env)
    if kind.startswith("inspection_"):
        from chibo.inspection.tests.matrix import inspection_payload

        return inspection_payload(kind, target, env)
    if kind.startswith("library_"):
        from chibo.library.tests.matrix import library_payload

        return library_payload(kind, target, env)
    if kind.startswith("grading_"):
        from chibo.grading.tests.matrix import grading_payload

        return grading_payload(kind, target, env)
    if kind.startswith("dues_"):
        from chibo.dues.tests.matrix import dues_payload

        return dues_payload(kind, target, env)
    if kind.startswith("transfers_"):
        from chibo.transfers.tests.matrix import transfer_payload

        return transfer_payload(kind, target, env)
    raise AssertionError(f"unknown payload {kind!r}")


@pytest.fixture
def write_targets(personas, targets, actor_of, unit):
    """The targets plus an empty French party group (a unit that may be closed)."""
    from chibo.units.services import unit_create

    ids, objects = targets
    empty = unit_create(actor=actor_of("ban.tochuc"), parent=unit("PHAP-DSQ"), kind="party_group",
                        name="Tổ đảng Văn phòng", code="PHAP-DSQ-VP", opened_on=date(2020, 1, 6))
    return {**ids, "unit_fr_empty": empty.pk}, {**objects, "unit_fr_empty": empty}


@pytest.mark.parametrize("shard", range(SHARDS))
@pytest.mark.parametrize("auth", ["session", "token"])
def test_write_matrix(auth, shard, personas, write_targets, client_of):
    clients = _session_clients(client_of) if auth == "session" else _token_clients(personas)
    env = _env(personas, write_targets, clients)
    routes = project_routes()
    problems = []
    checked = 0
    mine = [(key, row) for position, (key, row) in enumerate(WRITES.items()) if in_shard(position, shard)]
    for (ident, target, method, kind), row in mine:
        route = routes[ident]
        if auth == "token" and not route.pattern.startswith("api/"):
            continue
        url = build_url(route, target, env)
        if isinstance(row, dict):  # the answer depends on how the caller signed in
            row = row[auth]
        for persona, expected in zip(PERSONAS, row, strict=True):
            checked += 1
            label = f"{method} {url} [{ident} {target} {kind}] as {persona}"
            with transaction.atomic():  # every attempt starts from the demo as built
                data = payload(kind, target, env)
                before = fingerprint()
                try:
                    response = send(env.clients[persona], method, url, data)
                except Exception as exc:
                    problems.append(f"{label}: raised {exc!r}")
                    transaction.set_rollback(True)
                    continue
                after = fingerprint()
                transaction.set_rollback(True)
            problem = judge(response, expected, persona=persona, env=env, target=target)
            wrote = before != after
            should_write = expected in (DONE, SHOWN) or (expected in (200, 201) and route.pattern.startswith("api/"))
            if problem:
                problems.append(f"{label}: {problem}" + (" (and it WROTE)" if wrote else ""))
            elif should_write and not wrote:
                problems.append(f"{label}: answered {response.status_code} but nothing was written")
            elif wrote and not should_write:
                changed = sorted(k for k in before if before[k] != after[k])
                problems.append(f"{label}: refused with {response.status_code} but changed {changed}")
    assert checked >= (len(PERSONAS) if auth == "token" else len(PERSONAS) * len(mine))
    assert not problems, f"{len(problems)} of {checked} writes differ from WRITES:\n" + "\n".join(problems)
