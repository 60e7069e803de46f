"""The measurements of `make bench` (run inside Django, on the bench database)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection

HERE = Path(__file__).resolve().parent


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = (len(values) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def timed(fn, reps: int) -> dict:
    fn()  # warm-up (caches, plans)
    samples = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return {"p50": pct(samples, 0.5), "p95": pct(samples, 0.95), "n": reps}


def capture(fn) -> list[tuple[str, tuple]]:
    """The SQL statements (with parameters) a call runs."""
    seen: list[tuple[str, tuple]] = []

    def wrapper(execute, sql, params, many, context):
        seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        fn()
    return seen


def replay(statements):
    def run():
        with connection.cursor() as cur:
            for sql, params in statements:
                cur.execute(sql, params)
                if cur.description:
                    cur.fetchall()
    return run


# -- 1. selectors vs raw SQL ----------------------------------------------------------------------------
def selector_cases():
    from chibo.accounts.models import User
    from chibo.core.access import actor_from_user
    from chibo.core.paging import BoundedPaginator
    from chibo.members.models import Member
    from chibo.members.selectors import (
        MemberFilters,
        dashboard_counts,
        found_count,
        member_find,
        member_get,
        member_search,
        member_timeline,
    )

    cases = []
    for username in ("ban.tochuc", "bithu.phap"):
        actor = actor_from_user(User.objects.get(username=username))
        some = member_search(actor, MemberFilters()).values_list("pk", flat=True)[:1][0]

        def page(filters, actor=actor):
            # as the member list and its API page: the rows found, counted as the product counts them
            found = member_find(actor, filters)
            p = BoundedPaginator(found.rows, 50, **found_count(actor, filters, found)).get_page(1)
            list(p)
            return p.paginator.count

        cases += [
            (f"search «nguyen van hung» ({username})", lambda page=page: page(MemberFilters(q="nguyen van hung"))),
            (f"search «thu» ({username})", lambda page=page: page(MemberFilters(q="thu"))),
            (f"list, page 1 ({username})", lambda page=page: page(MemberFilters())),
            (f"detail + timeline ({username})",
             lambda actor=actor, some=some: list(member_timeline(member_get(actor, some))[:50])),
            (f"dashboard counts ({username})", lambda actor=actor: dashboard_counts(actor)),
        ]
    total = Member.objects.count()
    return cases, total


def run_selectors(reps: int) -> list[dict]:
    cases, _ = selector_cases()
    rows = []
    for name, fn in cases:
        statements = capture(fn)
        app = timed(fn, reps)
        raw = timed(replay(statements), reps)
        rows.append({"case": name, "queries": len(statements), "app": app, "raw": raw,
                     "ratio": app["p50"] / raw["p50"] if raw["p50"] else None})
        print(f"  {name}: app p50 {app['p50']:.1f} ms, raw {raw['p50']:.1f} ms", flush=True)
    return rows


# -- 2. pages ----------------------------------------------------------------------------------------------
def run_pages(reps: int) -> list[dict]:
    from django.db import reset_queries
    from django.test import Client

    from chibo.accounts.models import User
    from chibo.members.models import Member

    rows = []
    for username in ("ban.tochuc", "bithu.phap"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        some = Member.objects.filter(unit__code="PHAP-DSQ").values_list("pk", flat=True).first()
        for url in ("/", "/members/", "/members/?q=nguyen+van+hung", f"/members/{some}/", "/units/", "/deadlines/",
                    "/bulk/import/", "/meetings/compliance/", "/admission/", "/transfers/"):
            seen = []
            with connection.execute_wrapper(lambda execute, sql, params, many, context, seen=seen: (
                    seen.append(sql), execute(sql, params, many, context))[1]):
                response = client.get(url)
            body = response.content
            times = []
            for _ in range(reps):
                t = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - t) * 1000)
            reset_queries()
            rows.append({"user": username, "url": url, "status": response.status_code, "bytes": len(body),
                         "queries": len(seen), "p50": pct(times, 0.5), "p95": pct(times, 0.95), "n": reps})
            print(f"  {username} {url}: {response.status_code} {len(body)} B, {len(seen)} queries, "
                  f"p50 {rows[-1]['p50']:.0f} ms, p95 {rows[-1]['p95']:.0f} ms", flush=True)
    return rows


SELECTORS_BEGIN, SELECTORS_END = "<!-- selectors -->", "<!-- /selectors -->"
PAGES_BEGIN, PAGES_END = "<!-- pages -->", "<!-- /pages -->"


def render_selectors(r: dict, *, day=None, sections: list[str] | None = None) -> str:
    """Section 1 between its markers (a run measuring only some sections rewrites just this block)."""
    ran = (f" Measured {day:%d/%m/%Y} at {r['members']:,} members in {r['units']:,} units (this run measured only: "
           f"{', '.join(sections)}); {r['selectors'][0]['app']['n']} repetitions after one warm-up."
           if sections and r.get("selectors") else "")
    L = [SELECTORS_BEGIN, "## 1. Scoped selectors: app vs the same SQL run raw", "",
         "The app column is the selector evaluated through the ORM (model instances; the first page and its count "
         "as the member list pages them: exact from the counters or the search, else counted up to a cap); the raw "
         "column replays exactly the SQL statements it sent, with a bare cursor. Target: ratio ≤ 2× wherever the SQL "
         f"takes over 5 ms.{ran}", "",
         "| case | queries | app p50 ms | app p95 ms | raw p50 ms | raw p95 ms | ratio p50 |",
         "|---|---:|---:|---:|---:|---:|---:|"]
    for c in r.get("selectors", []):
        L.append(f"| {c['case']} | {c['queries']} | {c['app']['p50']:.1f} | {c['app']['p95']:.1f} | "
                 f"{c['raw']['p50']:.1f} | {c['raw']['p95']:.1f} | {c['ratio']:.2f}× |")
    L.append(SELECTORS_END)
    return "\n".join(L) + "\n"


def render_pages(r: dict, *, day=None, sections: list[str] | None = None) -> str:
    """Section 2 between its markers (a run measuring only some sections rewrites just this block)."""
    pages = r.get("pages", [])
    ran = (f"Measured {day:%d/%m/%Y} at {r['members']:,} members in {r['units']:,} units (this run measured only: "
           f"{', '.join(sections)}). " if sections else "")
    n = pages[0].get("n", 0) if pages else 0
    L = [PAGES_BEGIN, "## 2. Pages: weight, query count and time", "",
         f"{ran}Each page fetched by a signed-in test client, timed {n} times after one warm-up; budget: p95 ≤ "
         f"{PAGE_BUDGET_MS} ms.", "",
         "| user | page | status | bytes | queries | p50 ms | p95 ms | within budget |",
         "|---|---|---:|---:|---:|---:|---:|---|"]
    for p in pages:
        p95 = p.get("p95")
        ok = "" if p95 is None else ("yes" if p95 <= PAGE_BUDGET_MS else "**no**")
        L.append(f"| {p['user']} | `{p['url']}` | {p['status']} | {p['bytes']:,} | {p['queries']} | {p['p50']:.0f} | "
                 f"{'' if p95 is None else f'{p95:.0f}'} | {ok} |")
    L.append(PAGES_END)
    return "\n".join(L) + "\n"


def write_blocks(r: dict, *, day, sections: list[str]) -> None:
    """A run of only some sections: sections 1 and 2 rewritten between their markers when measured."""
    from bench.sections import write_section

    if r.get("selectors"):
        write_section(render_selectors(r, day=day, sections=sections), begin=SELECTORS_BEGIN, end=SELECTORS_END,
                      before="## 2. Pages")
    if r.get("pages"):
        write_section(render_pages(r, day=day, sections=sections), begin=PAGES_BEGIN, end=PAGES_END,
                      before=UPWARD_BEGIN)


# -- 2b. reports upward and statistics: the page budget ----------------------------------------------------------
PAGE_BUDGET_MS = 100  # p95 of every page and API call the bench measures (issue 20)
UPWARD_UNIT = {"ban.tochuc": None, "bithu.phap": "PHAP"}  # None: the top unit (the upper committee)


def upward_urls(username: str) -> list[str]:
    """The upper committee's roll-up of its units' reports for the last ended quarter and the statistics (members,
    admissions, transfers, meetings, dues, grades over five years) of the persona's unit, pages and API twins."""
    from chibo.core import clock
    from chibo.reports.periods import last_ended
    from chibo.units.models import Unit

    code = UPWARD_UNIT[username]
    unit = (Unit.objects.get(code=code) if code else Unit.objects.filter(parent__isnull=True).order_by("path")[0])
    period = last_ended("quarter", clock.today()).code
    return [f"/reports/rollup/?unit={unit.pk}&period={period}",
            f"/api/v1/reports/rollup/?unit={unit.pk}&period={period}",
            f"/stats/?unit={unit.pk}", f"/api/v1/stats/?unit={unit.pk}"]


def run_pages_upward(reps: int) -> list[dict]:
    """Each page timed ``reps`` times after one warm-up (p50, p95 against the budget), with its queries and weight."""
    from django.test import Client

    from chibo.accounts.models import User

    rows = []
    for username in UPWARD_UNIT:
        client = Client()
        client.force_login(User.objects.get(username=username))
        for url in upward_urls(username):
            seen: list[str] = []
            with connection.execute_wrapper(lambda execute, sql, params, many, context, seen=seen: (
                    seen.append(sql), execute(sql, params, many, context))[1]):
                response = client.get(url)
            times = []
            for _ in range(reps):
                t = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - t) * 1000)
            row = {"user": username, "url": url, "status": response.status_code, "bytes": len(response.content),
                   "queries": len(seen), "p50": pct(times, 0.5), "p95": pct(times, 0.95), "n": reps}
            rows.append(row)
            print(f"  {username} {url}: {row['status']} {row['bytes']} B, {row['queries']} queries, "
                  f"p50 {row['p50']:.0f} ms, p95 {row['p95']:.0f} ms", flush=True)
    return rows


def upward_data() -> dict:
    """What the roll-up and the statistics read at this scale (bench/national_load.py)."""
    from chibo.meetings.models import Meeting
    from chibo.members.models import TimelineEvent
    from chibo.reports.models import Report
    from chibo.transfers.models import Transfer

    return {"reports_submitted": Report.objects.filter(state="submitted").count(),
            "reports_draft": Report.objects.filter(state="draft").count(),
            "timeline_events": TimelineEvent.objects.count(),
            "transfers": Transfer.objects.count(), "meetings": Meeting.objects.count()}


UPWARD_BEGIN, UPWARD_END = "<!-- pages-upward -->", "<!-- /pages-upward -->"


def render_upward(r: dict, *, day, sections: list[str] | None = None) -> str:
    """Section 2b between its markers (a run measuring only some sections rewrites just this block)."""
    d = r.get("upward_data") or {}
    ran = f" (this run measured only: {', '.join(sections)})" if sections else ""
    L = [UPWARD_BEGIN, "## 2b. Reports upward and statistics: the page budget", "",
         f"Measured {day:%d/%m/%Y}{ran} at {r['members']:,} members in {r['units']:,} units, with "
         f"{d.get('reports_submitted', 0):,} submitted and {d.get('reports_draft', 0):,} draft quarterly reports of "
         f"the top unit's units, {d.get('timeline_events', 0):,} timeline events, {d.get('transfers', 0):,} "
         f"transfers and {d.get('meetings', 0):,} meetings (`bench/national_load.py`). Each page or API call timed "
         f"{r['pages_upward'][0]['n'] if r.get('pages_upward') else 0} times after one warm-up; "
         f"budget: p95 ≤ {PAGE_BUDGET_MS} ms.", "",
         "| user | page | status | bytes | queries | p50 ms | p95 ms | within budget |",
         "|---|---|---:|---:|---:|---:|---:|---|"]
    for p in r.get("pages_upward", []):
        ok = "yes" if p["p95"] <= PAGE_BUDGET_MS else "**no**"
        L.append(f"| {p['user']} | `{p['url']}` | {p['status']} | {p['bytes']:,} | {p['queries']} | {p['p50']:.0f} | "
                 f"{p['p95']:.0f} | {ok} |")
    L.append(UPWARD_END)
    return "\n".join(L) + "\n"


# -- 3. import -----------------------------------------------------------------------------------------------
def make_import_file(rows: int, path: Path, *, unit_code: str, card_base: int) -> None:
    import random

    from openpyxl import Workbook

    from chibo.demo.builder import FAMILY_NAMES, MIDDLE_NAMES
    from chibo.demo.national import GIVEN_NAMES

    rng = random.Random(7)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Đảng viên")
    ws.append(["Họ và tên", "Giới tính", "Ngày sinh", "Số thẻ đảng viên", "Số lý lịch", "Ngày vào Đảng",
               "Ngày chính thức", "Diện ở nước ngoài", "Mã chi bộ", "Quê quán"])
    fams = [f for f, _ in FAMILY_NAMES]
    fw = [w for _, w in FAMILY_NAMES]
    for i in range(rows):
        g = "M" if i % 5 < 3 else "F"
        name = f"{rng.choices(fams, fw)[0]} {MIDDLE_NAMES[g][i % 5][0]} {GIVEN_NAMES[g][i % 30]}"
        y = 1960 + i % 40
        ws.append([name, "Nam" if g == "M" else "Nữ", f"{1 + i % 28:02d}/{1 + i % 12:02d}/{y}", str(card_base + i),
                   f"{card_base + i}B", f"{1 + i % 28:02d}/{1 + i % 12:02d}/{y + 25}",
                   f"{1 + i % 28:02d}/{1 + i % 12:02d}/{y + 26}", "Trong nước", unit_code, "Nam Định"])
    wb.save(path)


def run_import(rows: int, iie_rows: int) -> dict:
    from chibo.accounts.models import User
    from chibo.bulk.reader import open_sheet
    from chibo.bulk.services import import_file
    from chibo.core.access import actor_from_user

    actor = actor_from_user(User.objects.get(username="ban.tochuc"))
    work = Path(os.environ.get("CHIBO_VAR_DIR", "/tmp")) / "bench"
    work.mkdir(parents=True, exist_ok=True)
    path = work / f"import-{rows}.xlsx"
    t = time.perf_counter()
    make_import_file(rows, path, unit_code="PHAP-LHS", card_base=700_000_000)
    print(f"  wrote {rows}-row file in {time.perf_counter() - t:.0f}s ({path.stat().st_size / 1e6:.1f} MB)", flush=True)
    size = path.stat().st_size

    t = time.perf_counter()
    sheet = open_sheet(path, size)
    n = sum(1 for _ in sheet.rows)
    parse = time.perf_counter() - t
    print(f"  parse-only: {n / parse:.0f} rows/s", flush=True)

    t = time.perf_counter()
    plan, outcome = import_file(actor=actor, path=path, size=size, file_name=path.name, mode="all")
    chibo_s = time.perf_counter() - t
    assert outcome.counts["new"] == rows, outcome.counts
    print(f"  chibo import: {rows / chibo_s:.0f} rows/s", flush=True)

    t = time.perf_counter()
    plan2, outcome2 = import_file(actor=actor, path=path, size=size, file_name=path.name, mode="all")
    again_s = time.perf_counter() - t
    assert outcome2.counts["unchanged"] == rows

    iie = run_import_export(iie_rows, work)
    return {"rows": rows, "file_mb": size / 1e6, "parse_s": parse, "chibo_s": chibo_s, "reimport_s": again_s,
            "iie": iie}


def run_import_export(rows: int, work: Path) -> dict | None:
    """django-import-export on a file of the same shape (its own card numbers), ModelResource on Member."""
    try:
        import tablib
        from import_export import fields, resources, widgets
    except ImportError:
        return None
    from chibo.members.models import Member
    from chibo.units.models import Unit

    path = work / f"iie-{rows}.xlsx"
    make_import_file(rows, path, unit_code="PHAP-LHS", card_base=800_000_000)
    unit = Unit.objects.get(code="PHAP-LHS")

    class MemberResource(resources.ModelResource):
        full_name = fields.Field(attribute="full_name", column_name="Họ và tên")
        gender = fields.Field(attribute="gender", column_name="Giới tính")
        birth_date = fields.Field(attribute="birth_date", column_name="Ngày sinh",
                                  widget=widgets.DateWidget("%d/%m/%Y"))
        card_number = fields.Field(attribute="card_number", column_name="Số thẻ đảng viên")
        dossier_number = fields.Field(attribute="dossier_number", column_name="Số lý lịch")
        admission_date = fields.Field(attribute="admission_date", column_name="Ngày vào Đảng",
                                      widget=widgets.DateWidget("%d/%m/%Y"))
        confirmation_date = fields.Field(attribute="confirmation_date", column_name="Ngày chính thức",
                                         widget=widgets.DateWidget("%d/%m/%Y"))
        home_town = fields.Field(attribute="home_town", column_name="Quê quán")

        class Meta:
            model = Member
            import_id_fields = ("card_number",)
            fields = ("full_name", "gender", "birth_date", "card_number", "dossier_number", "admission_date",
                      "confirmation_date", "home_town")
            skip_unchanged = True
            use_transactions = True

        def before_save_instance(self, instance, row, **kwargs):
            from chibo.members.services import set_derived

            instance.gender = "M" if instance.gender == "Nam" else "F"
            instance.unit = unit
            instance.status = "full"
            instance.category = "domestic"
            set_derived(instance)

    t = time.perf_counter()
    with open(path, "rb") as fh:
        dataset = tablib.Dataset().load(fh.read(), format="xlsx")
    result = MemberResource().import_data(dataset, dry_run=False, raise_errors=True)
    seconds = time.perf_counter() - t
    print(f"  django-import-export: {rows / seconds:.0f} rows/s", flush=True)
    return {"rows": rows, "seconds": seconds, "errors": result.has_errors()}


# -- 4. export ----------------------------------------------------------------------------------------------
def run_export(sizes: list[int]) -> list[dict]:
    out = []
    for n in sizes:
        proc = subprocess.run([sys.executable, str(HERE / "export_one.py"), str(n)], capture_output=True, text=True,
                              env=os.environ, check=True)
        data = dict(line.split("=", 1) for line in proc.stdout.strip().splitlines() if "=" in line)
        out.append({"rows": int(data["rows"]), "seconds": float(data["seconds"]), "peak_rss_mb": float(data["rss_mb"]),
                    "base_rss_mb": float(data["base_rss_mb"]), "bytes": int(data["bytes"])})
        print(f"  export {n}: {out[-1]}", flush=True)
    return out


SECTIONS = ("selectors", "pages", "export", "import")  # BENCH_SECTIONS picks some of them (run.py)


def run_all(*, reps: int, import_rows: int, iie_rows: int, export_sizes: list[int],
            sections: tuple[str, ...] = SECTIONS) -> dict:
    from chibo.members.models import Member
    from chibo.units.models import Unit

    report = {"members": Member.objects.count(), "units": Unit.objects.count(), "sections": list(sections)}
    if "selectors" in sections:
        print("selectors vs raw SQL", flush=True)
        report["selectors"] = run_selectors(reps)
    if "pages" in sections:
        print("pages", flush=True)
        report["pages"] = run_pages(reps)
        print("pages: reports upward and statistics", flush=True)
        report["upward_data"] = upward_data()
        report["pages_upward"] = run_pages_upward(reps)
    if "export" in sections:
        print("export", flush=True)
        report["export"] = run_export(export_sizes)
    if "import" in sections:
        print("import", flush=True)
        report["import"] = run_import(import_rows, iie_rows)
    if set(sections) != set(SECTIONS):  # the others keep their last figures (run.py rewrites 2b)
        from datetime import date

        write_blocks(report, day=date.today(), sections=list(sections))
    return report


# -- results.md ----------------------------------------------------------------------------------------------
def render(r: dict, *, machine: str, members: int, units: int, load_seconds: float, import_rows: int, iie_rows: int,
           reps: int, day) -> str:
    L = [f"# chibo benchmarks — {day:%d/%m/%Y}", "",
         f"**Machine:** {machine}", "",
         f"**Scale used in this run:** {r['members']:,} members in {r['units']:,} units "
         f"(requested BENCH_MEMBERS={members:,}, BENCH_UNITS={units:,}); the national target is 5,600,000 members / "
         f"60,000 units. Database build (migrate + demo + COPY load) took {load_seconds:.0f} s. "
         f"Timings are over {reps} repetitions after one warm-up, in the same run.", "",
         render_selectors(r).rstrip("\n"), "", render_pages(r).rstrip("\n")]
    if r.get("pages_upward"):
        L += ["", render_upward(r, day=day).rstrip("\n")]
    imp = r["import"]
    L += ["", "## 3. Import", "",
          f"File: {imp['rows']:,} rows, {imp['file_mb']:.1f} MB XLSX (Unicode, all rows valid, new members).", "",
          "| path | seconds | rows/s |", "|---|---:|---:|",
          f"| parse only (open_sheet, iterate rows) | {imp['parse_s']:.1f} | {imp['rows'] / imp['parse_s']:,.0f} |",
          f"| `chibo import` (analyse + bulk insert + timeline + deadlines + audit) | {imp['chibo_s']:.1f} | "
          f"{imp['rows'] / imp['chibo_s']:,.0f} |",
          f"| `chibo import` again (idempotent: all unchanged) | {imp['reimport_s']:.1f} | "
          f"{imp['rows'] / imp['reimport_s']:,.0f} |"]
    if imp.get("iie"):
        iie = imp["iie"]
        rate = iie["rows"] / iie["seconds"]
        L.append(f"| django-import-export (ModelResource, same columns, {iie['rows']:,} rows) | {iie['seconds']:.1f} | "
                 f"{rate:,.0f} |")
        L += ["", f"Ratio chibo / django-import-export: **{(imp['rows'] / imp['chibo_s']) / rate:.1f}×** "
                  "(target ≥ 10×)"
                  + ("" if iie["rows"] == imp["rows"]
                     else f"; django-import-export ran on {iie['rows']:,} rows of the same shape to fit the time")
                  + "."]
    else:
        L += ["", "django-import-export not installed (`pip install -e '.[bench]'`): comparison skipped."]
    L += ["", "## 4. Export (streamed XLSX, separate process per size)", "",
          "| rows | seconds | rows/s | file MB | process RSS before MB | peak RSS MB |",
          "|---:|---:|---:|---:|---:|---:|"]
    for e in r["export"]:
        L.append(f"| {e['rows']:,} | {e['seconds']:.1f} | {e['rows'] / e['seconds']:,.0f} | {e['bytes'] / 1e6:.1f} | "
                 f"{e['base_rss_mb']:.0f} | {e['peak_rss_mb']:.0f} |")
    L += ["", "Indexes and summary tables behind these numbers: `member_name_search_trgm` (pg_trgm GIN on "
              "`name_search`, members migration 0004, PostgreSQL only) for the diacritic-free contains-search; "
              "`members.UnitMemberCount` (per-unit counters kept by the member services, migrations 0006-0007; "
              "`chibo recount --check` proves them) for the dashboard and the tree's counts; `units.Unit.search_key` "
              "(units migration 0003) for the unit picker.", ""]
    return "\n".join(L)
