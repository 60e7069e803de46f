"""Demo admission cases (deterministic, no member records or deadlines created): a few applicants at
different steps so the pipeline board has something to show. ungvien.phap's own case is opened by
the demo's personas (applicant_record opens the case)."""

from __future__ import annotations

from datetime import date

from chibo.admission import services
from chibo.members.enums import Status
from chibo.members.selectors import members_of_unit
from chibo.units.selectors import unit_with_code

# (unit code, full name, gender, birth date, last step reached)
CASES = [
    ("PHAP-LHS", "Lê Hoàng Nam", "M", date(2000, 2, 14), "verified"),
    ("DUC-DSQ", "Phan Thị Hồng Nhung", "F", date(1996, 8, 3), "application"),
    ("HOAKY-DSQ", "Ngô Minh Tuấn", "M", date(1993, 11, 21), "course"),
]


def build_admission_demo(builder) -> None:
    actor = builder.actor
    for code, name, gender, birth, upto in CASES:
        unit = unit_with_code(code)
        if unit is None:
            continue
        full = list(members_of_unit(unit, statuses=[Status.FULL]).filter(confirmation_date__lt=date(2023, 1, 1))
                    .order_by("pk")[:2])
        case = services.applicant_record(actor=actor, unit=unit, full_name=name, gender=gender, birth_date=birth,
                                         recorded_on=date(2025, 6, 2)).case
        case = services.case_course(actor=actor, case=case, certificate_no=f"GCN {100 + case.pk}/2025",
                                    issuer="Đảng ủy Bộ Ngoại giao", on=date(2025, 7, 10))
        if upto == "course":
            continue
        case = services.case_application(actor=actor, case=case, application_on=date(2025, 8, 4),
                                         cv_on=date(2025, 8, 4))
        if upto == "application" or len(full) < 2:
            continue
        case = services.case_introducers(actor=actor, case=case, on=date(2025, 9, 1), introducer1=full[0],
                                         introducer1_since=date(2023, 9, 1), introducer2=full[1],
                                         introducer2_since=date(2023, 9, 1))
        case = services.case_comments(actor=actor, case=case, mass_org_on=date(2025, 9, 15),
                                      residence_on=date(2025, 9, 16))
        services.case_verified(actor=actor, case=case, by="Đảng ủy Bộ Ngoại giao", on=date(2025, 10, 20),
                               reference="88-KL/ĐUBNG")
