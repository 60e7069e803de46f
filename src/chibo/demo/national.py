"""National-scale synthetic data: ``chibo demo --members 5600000 --units 60000`` on PostgreSQL.

Rows go in with COPY (psycopg), not the ORM row by row. The shape follows the demo: one upper committee,
grass-roots committees with their subordinate cells, and grass-roots cells; cell sizes are skewed (a
few big cells, many small ones). Names follow chibo.demo's FAMILY_NAMES / MIDDLE_NAMES weights (Vietnamese
names repeat a lot: Nguyễn alone ≈ 38%) and statuses its STATUS_WEIGHTS. Derived keys (name_search,
name_sort) are computed once per distinct name. Deterministic for a seed.

This is load-test data: no timelines, deadlines, audit rows or logins (those come from the normal demo).
"""

from __future__ import annotations

import random
import time
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from chibo.core.access import PATH_STEP
from chibo.core.text import name_sort_key, search_key, vn_sort_key
from chibo.demo.builder import FAMILY_NAMES, MIDDLE_NAMES, REFERENCE_DAY, STATUS_WEIGHTS
from chibo.members.counters import counts_rebuild
from chibo.members.models import Category, Education, Gender, Member, Status, Theory
from chibo.units.models import Unit, UnitKind, unit_search_key

GIVEN_NAMES = {
    Gender.MALE: ["Anh", "Bình", "Cường", "Dũng", "Đức", "Hải", "Hiếu", "Hòa", "Hùng", "Huy", "Khang", "Khoa", "Long",
                  "Minh", "Nam", "Nghĩa", "Phong", "Phúc", "Quân", "Quang", "Sơn", "Tài", "Thắng", "Thành", "Toàn",
                  "Trung", "Tuấn", "Tùng", "Việt", "Vinh"],
    Gender.FEMALE: ["An", "Anh", "Châu", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Hương", "Lan", "Liên",
                    "Linh", "Loan", "Mai", "Nga", "Ngân", "Ngọc", "Nhung", "Oanh", "Phương", "Quyên", "Tâm", "Thảo",
                    "Thu", "Thủy", "Trang", "Vân", "Yến"],
}
PROVINCES = ["Hà Nội", "Hải Phòng", "Nam Định", "Thái Bình", "Nghệ An", "Hà Tĩnh", "Thanh Hóa", "Huế", "Đà Nẵng",
             "Quảng Nam", "Bình Định", "Khánh Hòa", "Cần Thơ", "An Giang", "Đồng Nai", "TP Hồ Chí Minh", "Bắc Ninh",
             "Hải Dương", "Phú Thọ", "Quảng Ninh"]
COLUMNS = ("full_name", "name_search", "name_lower", "name_sort", "gender", "birth_date", "home_town", "ethnicity",
           "education", "political_theory", "job_title", "workplace", "card_number", "dossier_number",
           "admission_date", "confirmation_date", "unit_id", "status", "category", "citizen_id", "citizen_id_hash",
           "phone", "email", "version", "created_at", "updated_at")


def _cum(weighted):
    values = [v for v, _ in weighted]
    cum, total = [], 0
    for _, w in weighted:
        total += w
        cum.append(total)
    return values, cum


def build_national(*, members: int, units: int, seed: int = 2026, log=print) -> dict:
    if connection.vendor != "postgresql":
        raise RuntimeError("National-scale data needs PostgreSQL (COPY).")
    rng = random.Random(seed)
    started = time.monotonic()
    leaves = _build_units(units, rng)
    log(f"units: {units} in {time.monotonic() - started:.1f}s")
    dropped = _drop_secondary_indexes("members_member")
    _copy_members(members, leaves, rng, log)
    t = time.monotonic()
    with connection.cursor() as cur:
        # check the deferred foreign keys now (needed inside a transaction)
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for definition in dropped:  # rebuilt once, faster than maintained row by row during COPY
            cur.execute(definition)
    log(f"indexes rebuilt: {len(dropped)} in {time.monotonic() - t:.1f}s")
    t = time.monotonic()

    fixed = counts_rebuild()  # the per-unit member counters the dashboard reads
    log(f"member counters: {len(fixed)} units recounted in {time.monotonic() - t:.1f}s")
    with connection.cursor() as cur:
        cur.execute("ANALYZE units_unit; ANALYZE members_member; ANALYZE members_unitmembercount;")
    return {"units": units, "members": members, "seconds": round(time.monotonic() - started, 1)}


def _drop_secondary_indexes(table: str) -> list[str]:
    """Drop the non-unique indexes of ``table`` (kept: primary key and unique constraints); return their DDL."""
    with connection.cursor() as cur:
        cur.execute("""
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.tablename = %s AND i.indexdef NOT LIKE 'CREATE UNIQUE%%'
        """, [table])
        found = cur.fetchall()
        for name, _ in found:
            cur.execute(f'DROP INDEX IF EXISTS "{name}"')
    return [ddl for _, ddl in found]


def _build_units(n: int, rng: random.Random) -> list[int]:
    """Rows of units_unit with explicit ids (paths need them); returns the ids of member-holding units."""
    now_day = date(1990, 1, 1)
    rows = []
    pk = 0

    def add(kind, name, code, parent_path, parent_id, depth):
        nonlocal pk
        pk += 1
        path = parent_path + f"{pk:0{PATH_STEP}d}"
        code = f"{code}-{pk}" if code != "TQ" else code  # unique however often the loader runs
        rows.append((pk, kind, name, code, "VN", "", "", parent_id, path, depth, vn_sort_key(name), now_day, "", 1))
        return pk, path


    pk = Unit.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    existing_root = Unit.objects.filter(parent__isnull=True).order_by("path").first()
    if existing_root is not None:  # load data under the demo's upper committee, so the personas see it
        root_id, root_path = existing_root.pk, existing_root.path
    else:
        root_id, root_path = add(UnitKind.UPPER_COMMITTEE, "Đảng bộ Toàn quốc (dữ liệu tải)", "TQ", "", None, 0)
    leaves: list[int] = []
    committees = max(1, n // 25)
    remaining = n - 1 - committees
    cells_per_committee = max(1, int(remaining * 0.6) // committees)
    for c in range(committees):
        cid, cpath = add(UnitKind.GRASSROOTS_COMMITTEE, f"Đảng bộ cơ sở số {c + 1}", f"TQ-{c + 1}", root_path,
                         root_id, 1)
        for s in range(cells_per_committee):
            sid, _ = add(UnitKind.SUBORDINATE_CELL, f"Chi bộ {s + 1} thuộc Đảng bộ cơ sở số {c + 1}",
                         f"TQ-{c + 1}-{s + 1}", cpath, cid, 2)
            leaves.append(sid)
    g = 0
    target = pk + n - len(rows)
    while pk < target:
        g += 1
        gid, _ = add(UnitKind.GRASSROOTS_CELL, f"Chi bộ cơ sở số {g}", f"TQC-{g}", root_path, root_id, 1)
        leaves.append(gid)
    objs = [Unit(pk=r[0], kind=r[1], name=r[2], code=r[3], country=r[4], city=r[5], mission_kind=r[6],
                 parent_id=r[7], path=r[8], depth=r[9], sort_key=r[10], opened_on=r[11], opened_by_doc=r[12],
                 search_key=unit_search_key(r[2], r[3]))
            for r in rows]
    with transaction.atomic():
        Unit.objects.bulk_create(objs, batch_size=5000)
        with connection.cursor() as cur:
            cur.execute("SELECT setval(pg_get_serial_sequence('units_unit', 'id'), %s)", [pk])
    return leaves


def _copy_members(n: int, leaves: list[int], rng: random.Random, log) -> None:
    fam_v, fam_c = _cum(FAMILY_NAMES)
    mid = {g: _cum(MIDDLE_NAMES[g]) for g in (Gender.MALE, Gender.FEMALE)}
    st_v, st_c = _cum(STATUS_WEIGHTS)
    # Skewed cell sizes: weight ~ Pareto, so a few cells are large and most are small.
    weights = [rng.paretovariate(1.5) for _ in leaves]
    leaf_cum, total = [], 0.0
    for w in weights:
        total += w
        leaf_cum.append(total)
    keys: dict[str, tuple[str, str, str]] = {}
    now = timezone.now().isoformat()
    educ = [Education.BACHELOR, Education.BACHELOR, Education.UPPER_SECONDARY, Education.MASTER, Education.COLLEGE]
    theory = [Theory.ELEMENTARY, Theory.INTERMEDIATE, Theory.INTERMEDIATE, Theory.ADVANCED, Theory.NONE]
    jobs = ["Công chức", "Giáo viên", "Kỹ sư", "Bác sĩ", "Công nhân", "Nông dân", "Cán bộ hưu trí", "Sinh viên",
            "Bộ đội", "Chuyên viên"]
    choices, random_ = rng.choices, rng.random
    ref = REFERENCE_DAY.toordinal()
    chunk = 50_000

    required = {f.column for f in Member._meta.concrete_fields if not f.null and not f.primary_key}
    missing = required - set(COLUMNS)
    if missing:
        raise RuntimeError(f"national data: members_member has columns the generator does not fill: {missing}")
    offset = (Member.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    sql = f"COPY members_member ({', '.join(COLUMNS)}) FROM STDIN"
    done = 0
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cur:
        with cur.copy(sql) as copy:
            while done < n:
                size = min(chunk, n - done)
                units = choices(leaves, cum_weights=leaf_cum, k=size)
                statuses = choices(st_v, cum_weights=st_c, k=size)
                families = choices(fam_v, cum_weights=fam_c, k=size)
                lines = []
                for i in range(size):
                    seq = done + i + offset
                    gender = Gender.MALE if random_() < 0.6 else Gender.FEMALE
                    mv, mc = mid[gender]
                    middle = choices(mv, cum_weights=mc)[0]
                    given = GIVEN_NAMES[gender][int(random_() * 30)]
                    name = f"{families[i]} {middle} {given}"
                    k = keys.get(name)
                    if k is None:
                        k = keys[name] = (search_key(name), name.lower(), name_sort_key(name))
                    birth = ref - 365 * 22 - int(random_() * 365 * 60)
                    status = statuses[i]
                    if status == Status.PROBATIONARY:
                        admitted = ref - 30 - int(random_() * 330)
                        confirmed = "\\N"
                    else:
                        admitted = min(ref - 800, birth + 365 * 19 + int(random_() * 365 * 30))
                        confirmed = date.fromordinal(admitted + 365).isoformat()
                    lines.append("\t".join((
                        name, k[0], k[1], k[2], gender, date.fromordinal(birth).isoformat(),
                        PROVINCES[seq % 20], "Kinh", educ[seq % 5], theory[seq % 5], jobs[seq % 10], "",
                        str(20_000_000 + seq), f"{seq:09d}", date.fromordinal(admitted).isoformat(), confirmed,
                        str(units[i]), status, Category.DOMESTIC, "", "", "", "", "1", now, now,
                    )))
                copy.write("\n".join(lines) + "\n")
                done += size
                if done % 500_000 < chunk:
                    rate = done / max(time.monotonic() - started, 1e-6)
                    log(f"members: {done:,} ({rate:,.0f}/s)")
