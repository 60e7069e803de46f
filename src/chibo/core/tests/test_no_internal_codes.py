"""No internal code reaches a reader: the pages of the demo, read as three personas (the upper committee's
officer, a secretary, a member), show no rule key or audit action (``admission.age_max``, ``member.viewed``),
no bare country code in a "Nước" field ("Nước đến: CN") and no empty field printed as "…".

The pages are every HTML route of the permission matrix, with the matrix's demo objects, where the persona gets
the page (200). The text read is what a browser shows: tags, attributes, scripts and styles left out; an
officer's small print of a rule's key on its own page (``<small class="key">``) is meant for them and skipped.
"""

from __future__ import annotations

import html
import re

import pytest

from chibo.core.tests.test_permission_matrix import (  # the matrix's routes, demo objects and clients
    PERSONAS,
    _env,
    _session_clients,
    build_url,
    entry_for,
    project_routes,
    targets,  # noqa: F401  (a fixture)
)

READERS = ("ban.tochuc", "bithu.phap", "dangvien.phap")
SKIPPED = re.compile(r"<(script|style)\b.*?</\1>|<small class=\"key\">.*?</small>", re.S | re.I)
TAG = re.compile(r"<[^>]*>")
COUNTRY_CODE = re.compile(r"[A-Z]{2}")
EMPTY_FIELD = re.compile(r"^[^:]{2,60}:\s*…$")


def visible_lines(page: str) -> list[str]:
    """The page's text as a reader sees it: one line per run of text between tags."""
    text = TAG.sub("\n", SKIPPED.sub("\n", page))
    return [" ".join(line.split()) for line in html.unescape(text).splitlines() if line.strip()]


def code_pattern() -> re.Pattern[str]:
    """Keys of the rulebook and audit actions: their first part, a dot, more lower-case words."""
    from chibo.core.audit_labels import action_labels
    from chibo.core.rulebook import rule_keys

    heads = "|".join(sorted(map(re.escape, {key.split(".", 1)[0] for key in [*rule_keys(), *action_labels()]})))
    return re.compile(rf"\b(?:{heads})\.[a-z_]+(?:\.[A-Za-z0-9_]+)*\b")


def problems_in(lines: list[str], codes: re.Pattern[str]) -> list[str]:
    found = []
    for i, line in enumerate(lines):
        found += [f"code {m.group(0)!r} in {line[:120]!r}" for m in codes.finditer(line)]
        label, _, value = line.partition(":")
        if label.startswith("Nước") and COUNTRY_CODE.fullmatch(value.strip()):
            found.append(f"country code in {line!r}")
        if (
            line.startswith("Nước")
            and line.endswith(("đến", "Nước"))
            and i + 1 < len(lines)
            and COUNTRY_CODE.fullmatch(lines[i + 1])
        ):
            found.append(f"country code in {line!r} {lines[i + 1]!r}")
        if line == "…" or EMPTY_FIELD.match(line):
            found.append(f"an empty field printed as «…»: {line!r}")
    return found


def test_the_scan_finds_what_it_looks_for(db):
    codes = code_pattern()
    page = (
        "<h1>Quy định</h1><td>admission.age_max</td><p>(meeting.min_minutes, 42-HD/BTCTW)</p>"
        "<dt>Nước đến</dt><dd>CN</dd><p>Nước: JP</p><p>Số lý lịch: …</p>"
        "<script>var x = 'member.viewed'</script><small class=\"key\">probation.months</small>"
        "<p>bithu.phap@example.org, Hoa Kỳ, 01/01/2020 – …</p>"
    )
    found = problems_in(visible_lines(page), codes)
    assert [f.split(" ")[0] for f in found] == ["code", "code", "country", "country", "an"]
    assert not any("member.viewed" in f or "probation.months" in f or "bithu" in f for f in found)


@pytest.mark.django_db
def test_no_page_of_the_demo_shows_an_internal_code(personas, targets, client_of):  # noqa: F811
    env = _env(personas, targets, _session_clients(client_of))
    codes = code_pattern()
    problems: list[str] = []
    read = 0
    for _, route in sorted(project_routes().items()):
        entry = entry_for(route)
        if not isinstance(entry, dict) or route.pattern.startswith("api/"):
            continue
        for target, row in entry.items():
            url = build_url(route, target, env)
            for persona, expected in zip(PERSONAS, row, strict=True):
                if persona not in READERS or expected != 200:
                    continue
                response = env.clients[persona].get(url)
                if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
                    continue
                read += 1
                problems += [
                    f"{url} as {persona}: {p}" for p in problems_in(visible_lines(response.content.decode()), codes)
                ]
    assert read > 150
    assert not problems, f"{len(problems)} internal codes shown:\n" + "\n".join(sorted(set(problems)))
