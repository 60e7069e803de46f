"""The demo organization: the upper committee, 25 organizations abroad, members, committees, personas.

Deterministic for a given seed: every random choice comes from one ``random.Random(seed)`` and one
seeded Faker, and every date is counted back from a fixed reference day, so two runs with the same
seed build the same organization. Everything is written through the services, so timelines and the
audit chain are exactly what real use would leave.
"""

from __future__ import annotations

import base64
import random
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from faker import Faker

from chibo.accounts import services as account_services
from chibo.admission.demo import build_admission_demo
from chibo.admission.services import applicant_record
from chibo.core import citizen_ids
from chibo.core.access import SYSTEM, Actor, Grant, Role
from chibo.meetings.demo import build_meetings_demo
from chibo.members import accounts as member_accounts
from chibo.members import services as member_services
from chibo.members.enums import Category, Education, Gender, PostRole, Status, Theory
from chibo.transfers.demo import build_transfers_demo
from chibo.units import services as unit_services
from chibo.units.enums import MissionKind, UnitKind
from chibo.units.selectors import subtree_units, unit_with_code

if TYPE_CHECKING:
    from chibo.members.models import Member
    from chibo.units.models import Unit

REFERENCE_DAY = date(2026, 1, 1)
# Where the demo's members had their birth registered (the province part of their citizen IDs).
DEMO_PROVINCES = ("001", "031", "036", "038", "040", "046", "048", "079", "092", "034")


def _unit(code: str) -> Unit:
    """A unit the demo tree was built with."""
    unit = unit_with_code(code)
    assert unit is not None, f"the demo tree has no unit {code}"
    return unit

DEMO_PASSWORD = "Chibo-demo-2026"


@dataclass(frozen=True)
class Place:
    code: str
    country: str
    city: str
    name: str
    weight: int
    categories: tuple[str, ...]
    cells: tuple[tuple[str, str, str, str], ...] = ()  # (code, name, city, mission kind)


STAFF = (Category.MISSION_STAFF, Category.MISSION_STAFF, Category.MISSION_STAFF, Category.SPOUSE)
STUDY = (Category.STATE_STUDENT, Category.SELF_STUDENT)
EMB, CG, PM = MissionKind.EMBASSY, MissionKind.CONSULATE_GENERAL, MissionKind.PERMANENT_MISSION

PLACES = [
    Place("PHAP", "FR", "Paris", "Pháp", 9, STAFF + STUDY + (Category.RESIDENT,), (
        ("PHAP-DSQ", "Chi bộ Cơ quan Đại sứ quán tại Pháp", "Paris", EMB),
        ("PHAP-LHS", "Chi bộ Lưu học sinh tại Pháp", "Paris", ""),
        ("PHAP-UNESCO", "Chi bộ Phái đoàn thường trực tại UNESCO", "Paris", PM),
    )),
    Place("DUC", "DE", "Berlin", "Đức", 8, STAFF + (Category.RESIDENT, Category.RESIDENT, Category.SELF_STUDENT), (
        ("DUC-DSQ", "Chi bộ Cơ quan Đại sứ quán tại Đức", "Berlin", EMB),
        ("DUC-FRA", "Chi bộ Tổng lãnh sự quán tại Frankfurt", "Frankfurt am Main", CG),
    )),
    Place("HOAKY", "US", "Washington", "Hoa Kỳ", 8, STAFF + STUDY, (
        ("HOAKY-DSQ", "Chi bộ Cơ quan Đại sứ quán tại Hoa Kỳ", "Washington", EMB),
        ("HOAKY-LHQ", "Chi bộ Phái đoàn thường trực tại Liên hợp quốc", "New York", PM),
        ("HOAKY-SF", "Chi bộ Tổng lãnh sự quán tại San Francisco", "San Francisco", CG),
        ("HOAKY-HOU", "Chi bộ Tổng lãnh sự quán tại Houston", "Houston", CG),
    )),
    Place("TRUNGQUOC", "CN", "Bắc Kinh", "Trung Quốc", 9, STAFF + STUDY, (
        ("TQ-DSQ", "Chi bộ Cơ quan Đại sứ quán tại Trung Quốc", "Bắc Kinh", EMB),
        ("TQ-QC", "Chi bộ Tổng lãnh sự quán tại Quảng Châu", "Quảng Châu", CG),
        ("TQ-CM", "Chi bộ Tổng lãnh sự quán tại Côn Minh", "Côn Minh", CG),
        ("TQ-NN", "Chi bộ Tổng lãnh sự quán tại Nam Ninh", "Nam Ninh", CG),
        ("TQ-TH", "Chi bộ Tổng lãnh sự quán tại Thượng Hải", "Thượng Hải", CG),
    )),
    Place("NGA", "RU", "Moskva", "Liên bang Nga", 8, STAFF + STUDY + (Category.RESIDENT,), (
        ("NGA-DSQ", "Chi bộ Cơ quan Đại sứ quán tại Liên bang Nga", "Moskva", EMB),
        ("NGA-VLA", "Chi bộ Tổng lãnh sự quán tại Vladivostok", "Vladivostok", CG),
        ("NGA-LHS", "Chi bộ Lưu học sinh tại Liên bang Nga", "Moskva", ""),
    )),
    Place("NHATBAN", "JP", "Tokyo", "Nhật Bản", 8, STAFF + STUDY + (Category.LABOURER, Category.LABOURER), (
        ("NB-DSQ", "Chi bộ Cơ quan Đại sứ quán tại Nhật Bản", "Tokyo", EMB),
        ("NB-OSA", "Chi bộ Tổng lãnh sự quán tại Osaka", "Osaka", CG),
        ("NB-LHS", "Chi bộ Lưu học sinh tại Nhật Bản", "Tokyo", ""),
    )),
    Place("HANQUOC", "KR", "Seoul", "Hàn Quốc", 6,
          STAFF + (Category.LABOURER, Category.LABOURER, Category.STATE_STUDENT), (
        ("HQ-DSQ", "Chi bộ Cơ quan Đại sứ quán tại Hàn Quốc", "Seoul", EMB),
        ("HQ-BUS", "Chi bộ Tổng lãnh sự quán tại Busan", "Busan", CG),
    )),
    Place("LAO", "LA", "Viêng Chăn", "Lào", 7, STAFF + (Category.STATE_STUDENT, Category.LABOURER), (
        ("LAO-DSQ", "Chi bộ Cơ quan Đại sứ quán tại Lào", "Viêng Chăn", EMB),
        ("LAO-LPB", "Chi bộ Tổng lãnh sự quán tại Luông Pha Băng", "Luông Pha Băng", CG),
        ("LAO-PAK", "Chi bộ Tổng lãnh sự quán tại Pác Xế", "Pác Xế", CG),
    )),
    Place("CAMPUCHIA", "KH", "Phnôm Pênh", "Campuchia", 6, STAFF + (Category.RESIDENT,), (
        ("CPC-DSQ", "Chi bộ Cơ quan Đại sứ quán tại Campuchia", "Phnôm Pênh", EMB),
        ("CPC-BTB", "Chi bộ Tổng lãnh sự quán tại Battambang", "Battambang", CG),
    )),
    Place("ANH", "GB", "Luân Đôn", "Vương quốc Anh", 3, STAFF + STUDY),
    Place("UC", "AU", "Canberra", "Australia", 3, STAFF + STUDY),
    Place("THAILAN", "TH", "Băng Cốc", "Thái Lan", 3, STAFF + (Category.LABOURER,)),
    Place("SINGAPORE", "SG", "Singapore", "Singapore", 2, STAFF + STUDY),
    Place("MALAYSIA", "MY", "Kuala Lumpur", "Malaysia", 2, STAFF + (Category.LABOURER, Category.LABOURER)),
    Place("INDONESIA", "ID", "Jakarta", "Indonesia", 2, STAFF),
    Place("ANDO", "IN", "New Delhi", "Ấn Độ", 2, STAFF + (Category.STATE_STUDENT,)),
    Place("SEC", "CZ", "Praha", "Cộng hòa Séc", 2, STAFF + (Category.RESIDENT, Category.RESIDENT)),
    Place("BALAN", "PL", "Vácsava", "Ba Lan", 2, STAFF + (Category.RESIDENT, Category.RESIDENT)),
    Place("Y", "IT", "Roma", "Italia", 2, STAFF),
    Place("BI", "BE", "Brúc-xen", "Vương quốc Bỉ", 2, STAFF + (Category.DELEGATION,)),
    Place("THUYSI", "CH", "Giơ-ne-vơ", "Thụy Sĩ", 2, STAFF),
    Place("CANADA", "CA", "Ottawa", "Canada", 2, STAFF + STUDY),
    Place("CUBA", "CU", "La Habana", "Cuba", 2, STAFF + (Category.STATE_STUDENT,)),
    Place("AICAP", "EG", "Cairo", "Ai Cập", 1, STAFF),
    Place("NAMPHI", "ZA", "Pretoria", "Nam Phi", 1, STAFF),
]
GRASSROOTS_WITH_CELLS = {"PHAP", "DUC", "HOAKY", "TRUNGQUOC", "NGA", "NHATBAN", "HANQUOC", "LAO", "CAMPUCHIA"}

# Family names by their share of the population (Vietnamese names repeat a lot: Nguyễn alone ≈ 38%).
FAMILY_NAMES = [
    ("Nguyễn", 380), ("Trần", 110), ("Lê", 95), ("Phạm", 70), ("Hoàng", 31), ("Huỳnh", 20), ("Phan", 45),
    ("Vũ", 22), ("Võ", 18), ("Đặng", 21), ("Bùi", 20), ("Đỗ", 14), ("Hồ", 13), ("Ngô", 13), ("Dương", 10),
    ("Lý", 5), ("Đinh", 6), ("Trịnh", 5), ("Đào", 4), ("Mai", 3), ("Lương", 3), ("Tạ", 2), ("Hà", 3),
]
MIDDLE_NAMES: dict[str, list[tuple[str, int]]] = {
    Gender.MALE: [("Văn", 40), ("Hữu", 8), ("Đức", 10), ("Minh", 12), ("Quang", 8), ("Thanh", 6), ("Xuân", 4),
                  ("Công", 5), ("Ngọc", 4), ("Tuấn", 3)],
    Gender.FEMALE: [("Thị", 55), ("Thu", 8), ("Ngọc", 8), ("Thanh", 7), ("Minh", 5), ("Hồng", 6), ("Bích", 3),
                    ("Mai", 3), ("Phương", 4), ("Kim", 4)],
}

STATUS_WEIGHTS = [
    (Status.FULL, 800), (Status.PROBATIONARY, 90), (Status.EXEMPT, 25), (Status.SUSPENDED, 6),
    (Status.STRUCK_OFF, 8), (Status.LEFT, 5), (Status.EXPELLED, 3), (Status.DECEASED, 4),
]
PERSONAS = ("ban.tochuc", "ub.kiemtra", "bithu.phap", "bithu.duc", "dangvien.phap", "ungvien.phap")
STAFF_NAMES = {"ban.tochuc": "Lê Thị Hồng (Ban Tổ chức)", "ub.kiemtra": "Phạm Quốc Việt (Ủy ban Kiểm tra)"}


@dataclass
class DemoResult:
    units: int
    members: int
    personas: dict[str, str]  # username → password


class DemoBuilder:
    def __init__(self, *, seed: int, members: int):
        self.rng = random.Random(seed)
        self.fake = Faker("vi_VN")
        self.fake.seed_instance(seed)
        self.target = members
        self.card_seq = 10_000_000 + self.rng.randrange(1_000_000)
        self.actor: Actor = SYSTEM

    # -- helpers --------------------------------------------------------------------------------
    def day(self, start: date, end: date) -> date:
        return start + timedelta(days=self.rng.randrange(max(1, (end - start).days)))

    def pick(self, weighted: list[tuple[str, int]]) -> str:
        return self.rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]

    def name(self, gender: str) -> str:
        given = self.fake.first_name_male() if gender == Gender.MALE else self.fake.first_name_female()
        given = given.split(" ")[-1]  # Faker sometimes returns a compound; keep the given name proper
        middle = self.pick(MIDDLE_NAMES[gender]) if self.rng.random() < 0.95 else ""
        if middle == given:
            middle = MIDDLE_NAMES[gender][0][0]
        return " ".join(p for p in (self.pick(FAMILY_NAMES), middle, given) if p)

    @staticmethod
    def citizen_id(draw: int, birth: date, gender: str) -> str:
        """A well-formed citizen ID agreeing with the birth year and gender, from one random draw (the draws the
        demo makes stay the same, so the rest of it does too)."""
        return citizen_ids.make(province=DEMO_PROVINCES[draw % len(DEMO_PROVINCES)], birth_year=birth.year,
                                female=gender == Gender.FEMALE, serial=draw // len(DEMO_PROVINCES))

    def next_card(self) -> str:
        self.card_seq += self.rng.randrange(1, 40)
        return str(self.card_seq)

    # -- tree -----------------------------------------------------------------------------------
    def build_tree(self) -> tuple[Unit, list[tuple[Unit, Place]]]:
        root = unit_services.unit_create(
            actor=SYSTEM, parent=None, kind=UnitKind.UPPER_COMMITTEE, name="Đảng ủy Bộ Ngoại giao", code="DUBNG",
            abbreviation="ĐUBNG", country="VN", city="Hà Nội", opened_on=date(1961, 3, 31),
            opened_by_doc="Quyết định thành lập 1961",
        )
        self.actor = Actor(user=None, grants=(Grant(Role.ORG_OFFICER, root.pk, root.path),), label="demo")
        leaves: list[tuple[Unit, Place]] = []
        for i, place in enumerate(PLACES):
            kind = UnitKind.GRASSROOTS_COMMITTEE if place.code in GRASSROOTS_WITH_CELLS else UnitKind.GRASSROOTS_CELL
            prefix = "Đảng bộ" if kind == UnitKind.GRASSROOTS_COMMITTEE else "Chi bộ"
            org = unit_services.unit_create(
                actor=self.actor, parent=root, kind=kind, name=f"{prefix} Đại sứ quán tại {place.name}",
                code=place.code, country=place.country, city=place.city, mission_kind=EMB,
                mission_name=f"Đại sứ quán Việt Nam tại {place.name}", opened_on=date(1976 + i % 20, 3, 31),
                opened_by_doc=f"{100 + i}-QĐ/ĐUBNG",
            )
            if not place.cells:
                leaves.append((org, place))
            for code, name, city, mission in place.cells:
                cell = unit_services.unit_create(
                    actor=self.actor, parent=org, kind=UnitKind.SUBORDINATE_CELL, name=name, code=code,
                    country=place.country, city=city, mission_kind=mission, opened_on=date(1996 + i % 20, 6, 1),
                    opened_by_doc=f"{300 + i}-QĐ/ĐUBNG",
                )
                leaves.append((cell, place))
        # A delegation cell that has finished its mission: history the tree keeps.
        closed = unit_services.unit_create(
            actor=self.actor, parent=root, kind=UnitKind.DELEGATION_CELL,
            name="Chi bộ tạm thời Đoàn công tác APEC 2017", code="DOAN-APEC17", country="VN",
            mission_kind=MissionKind.DELEGATION, opened_on=date(2017, 9, 1),
            opened_by_doc="512-QĐ/ĐUBNG",
        )
        unit_services.unit_close(actor=self.actor, unit=closed, closed_on=date(2017, 11, 30), document="611-QĐ/ĐUBNG")
        return root, leaves

    # -- members --------------------------------------------------------------------------------
    def make_member(self, unit: Unit, place: Place, *, status: str | None = None, gender: str | None = None,
                    category: str | None = None) -> Member:
        gender = gender or (Gender.MALE if self.rng.random() < 0.58 else Gender.FEMALE)
        final = status or self.rng.choices([s for s, _ in STATUS_WEIGHTS], [w for _, w in STATUS_WEIGHTS])[0]
        category = category or self.rng.choice(place.categories)
        student = category in (Category.STATE_STUDENT, Category.SELF_STUDENT)
        birth = (self.day(date(1990, 1, 1), date(2002, 1, 1)) if student
                 else self.day(date(1958, 1, 1), date(1996, 1, 1)))
        earliest = date(birth.year + 19, birth.month, min(birth.day, 28))
        if final == Status.PROBATIONARY:
            admitted = self.day(REFERENCE_DAY - timedelta(days=360), REFERENCE_DAY - timedelta(days=30))
        else:
            admitted = self.day(earliest, max(earliest + timedelta(days=30), REFERENCE_DAY - timedelta(days=800)))
        initial = Status.PROBATIONARY if final == Status.PROBATIONARY else Status.FULL
        confirmed = None if initial == Status.PROBATIONARY else admitted + timedelta(days=365)
        abroad_from = self.day(REFERENCE_DAY - timedelta(days=1400), REFERENCE_DAY - timedelta(days=60))
        term_years = 4 if category == Category.STATE_STUDENT else 3
        member = member_services.member_create(
            actor=self.actor, unit=unit, status=initial,
            full_name=self.name(gender), gender=gender, birth_date=birth,
            home_town=self.fake.province_name(), ethnicity="Kinh" if self.rng.random() < 0.93 else self.rng.choice(
                ["Tày", "Thái", "Mường", "Nùng", "Hoa", "Khmer"]),
            education=Education.BACHELOR if student else self.rng.choice(
                [Education.BACHELOR, Education.BACHELOR, Education.MASTER, Education.DOCTOR,
                 Education.UPPER_SECONDARY]),
            political_theory=self.rng.choice([Theory.ELEMENTARY, Theory.INTERMEDIATE, Theory.ADVANCED, Theory.NONE]),
            job_title={Category.MISSION_STAFF: self.rng.choice(["Bí thư thứ nhất", "Bí thư thứ hai", "Tùy viên",
                                                                "Tham tán", "Nhân viên"]),
                       Category.STATE_STUDENT: "Nghiên cứu sinh", Category.SELF_STUDENT: "Sinh viên",
                       Category.LABOURER: "Kỹ thuật viên", Category.SPOUSE: "Phu nhân/phu quân"}.get(
                           Category(category), "Chuyên viên"),
            workplace=unit.mission_name or f"{place.city}",
            card_number=self.next_card(), dossier_number=f"{self.card_seq % 1_000_000:06d}BNG",
            admission_date=admitted, confirmation_date=confirmed, category=category,
            abroad_from=abroad_from, abroad_to=abroad_from + timedelta(days=365 * term_years),
            citizen_id=self.citizen_id(self.rng.randrange(10**10, 10**11 - 1), birth, gender),
            phone=f"+{self.rng.randrange(10**9, 10**10)}",
            email=f"dv{self.card_seq}@example.org",
        )
        if final not in (Status.FULL, Status.PROBATIONARY):
            member_services.member_change_status(
                actor=self.actor, member=member, status=final, reason="Theo đề nghị của chi bộ",
                document=f"{self.rng.randrange(10, 900)}-QĐ/ĐUBNG",
                effective_on=self.day(max(confirmed or admitted, REFERENCE_DAY - timedelta(days=700)), REFERENCE_DAY),
            )
            member.refresh_from_db()
        return member

    def appoint(self, unit: Unit, member: Member, role: str, n: int) -> None:
        when = self.day(max(member.admission_date, unit.opened_on, REFERENCE_DAY - timedelta(days=900)), REFERENCE_DAY)
        member_services.post_appoint(actor=self.actor, unit=unit, member=member, role=role, from_date=when,
                                   decision_no=f"{n}-QĐ/ĐUBNG", decision_date=when)

    def build(self) -> DemoResult:
        root, leaves = self.build_tree()
        total_weight = sum(p.weight for p in PLACES)
        per_place = {p.code: max(6, round(self.target * p.weight / total_weight)) for p in PLACES}
        made = 0
        secretaries: dict[str, Member] = {}
        members_by_place: dict[str, list[Member]] = {}
        decision = 700
        for place in PLACES:
            cells = [u for u, p in leaves if p.code == place.code]
            quota = per_place[place.code]
            for i in range(quota):
                unit = cells[i % len(cells)]
                members_by_place.setdefault(place.code, []).append(self.make_member(unit, place))
                made += 1
            org = _unit(place.code)
            # The ambassador is usually the secretary: a full mission-staff member of the embassy.
            embassy = cells[0]
            secretary = self.make_member(embassy, place, status=Status.FULL, category=Category.MISSION_STAFF)
            made += 1
            decision += 1
            self.appoint(org, secretary, PostRole.SECRETARY, decision)
            secretaries[place.code] = secretary
            active_full = [m for m in members_by_place[place.code] if m.status == Status.FULL]
            if org.kind == UnitKind.GRASSROOTS_COMMITTEE:
                for role in (PostRole.DEPUTY_SECRETARY, PostRole.COMMITTEE_MEMBER, PostRole.COMMITTEE_MEMBER):
                    if active_full:
                        decision += 1
                        self.appoint(org, active_full.pop(), role, decision)
                for cell in cells:
                    candidates = [m for m in active_full if m.unit_id == cell.pk]
                    if candidates:
                        decision += 1
                        chosen = candidates[0]
                        active_full.remove(chosen)
                        self.appoint(cell, chosen, PostRole.SECRETARY, decision)
        build_transfers_demo(self)
        build_meetings_demo(self)
        build_admission_demo(self)
        return self.personas(root, secretaries, made)

    # -- personas -------------------------------------------------------------------------------
    def personas(self, root: Unit, secretaries: dict[str, Member], made: int) -> DemoResult:
        france_embassy = _unit("PHAP-DSQ")
        plain_member = self.make_member(france_embassy, PLACES[0], status=Status.FULL, category=Category.MISSION_STAFF)
        applicant = applicant_record(actor=self.actor, unit=france_embassy, full_name="Trần Thị Minh Thư",
                                     gender=Gender.FEMALE, birth_date=date(1998, 5, 19),
                                     recorded_on=REFERENCE_DAY - timedelta(days=40))
        specs = [
            ("ban.tochuc", Role.ORG_OFFICER, root, None, None),
            ("ub.kiemtra", Role.INSPECTOR, root, None, None),
            ("bithu.phap", Role.SECRETARY, _unit("PHAP"), secretaries["PHAP"], None),
            ("bithu.duc", Role.SECRETARY, _unit("DUC"), secretaries["DUC"], None),
            ("dangvien.phap", None, None, plain_member, None),
            ("ungvien.phap", None, None, None, applicant),
        ]
        passwords = {}
        for username, role, unit, member, appl in specs:
            user = account_services.user_create(actor=self.actor, username=username, password=DEMO_PASSWORD,
                                                member=member, applicant=appl, is_demo=True,
                                                email=f"{username}@example.org",
                                                full_name="" if member or appl else STAFF_NAMES[username])
            if member is not None:  # a secretary's role follows their post, as for every member
                member_accounts.member_account_roles(actor=self.actor, member=member)
            elif role and unit is not None:
                account_services.staff_role_for_demo(actor=self.actor, user=user, role=role, unit=unit,
                                                     starts_on=root.opened_on)
            # Never from the seeded generator: a demo's TOTP secret must not be guessable from the seed.
            secret = base64.b32encode(secrets.token_bytes(20)).decode()
            account_services.totp_enrol(actor=self.actor, user=user, secret=secret)
            passwords[username] = DEMO_PASSWORD
        return DemoResult(units=subtree_units([root.path]).count(), members=made + 1, personas=passwords)


def build_demo(*, seed: int = 2026, members: int = 1500) -> DemoResult:
    with transaction.atomic():
        return DemoBuilder(seed=seed, members=members).build()
