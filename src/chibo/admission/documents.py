"""Admission papers from the case, through chibo.core.documents (one data entry, many outputs):
6-KNĐ cell resolution, 8-KNĐ committee resolution, 9-KNĐ decision, the ceremony minutes, and the
confirmation papers 10-KNĐ (self-review template), 11-KNĐ (helper's comment), 13-KNĐ (cell
resolution), 15-KNĐ (committee resolution)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from chibo.admission.models import AdmissionCase, Stage, Vote
from chibo.core.documents import Field, OfficialDocument, Paragraph
from chibo.members.enums import PostRole
from chibo.members.selectors import post_holder_on

UPPER = "ĐẢNG ỦY BỘ NGOẠI GIAO"


def _d(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "…/…/……"


def _signer(case: AdmissionCase, unit) -> str:
    post = post_holder_on([unit], PostRole.SECRETARY)
    return post.member.full_name if post else ""


def _vote(case: AdmissionCase, kind: str) -> Vote:
    vote = case.votes.filter(kind=kind, passed=True).order_by("-held_on", "-pk").first()
    assert vote is not None, "a paper is drawn up once its vote has passed (Form.ready)"
    return vote


def _person(case: AdmissionCase) -> list:
    a = case.applicant
    return [Field("Họ và tên người vào Đảng", a.full_name), Field("Ngày sinh", _d(a.birth_date)),
            Field("Giới tính", a.get_gender_display())]


def _vote_fields(vote: Vote, who: str) -> list:
    return [Field(f"Tổng số {who}", str(vote.eligible)), Field("Số tán thành", str(vote.yes)),
            Field("Số không tán thành", str(vote.no)),
            Field("Tỉ lệ tán thành", f"{vote.yes}/{vote.eligible} (cần {vote.needed})")]


def cell_resolution(case: AdmissionCase) -> OfficialDocument:
    vote = _vote(case, Vote.Kind.CELL)
    intro = [m.full_name for m in (case.introducer1, case.introducer2) if m]
    return OfficialDocument(
        title="NGHỊ QUYẾT", subtitle="Đề nghị kết nạp đảng viên", form_code="Mẫu 6-KNĐ",
        issuer=case.unit.name.upper(), upper_issuer=(case.deciding_unit or case.unit).name.upper(),
        number=f"Số {case.cell_resolution_no or '…'}", place=case.unit.city, issued_on=vote.held_on,
        blocks=[Paragraph(f"Ngày {_d(vote.held_on)}, chi bộ họp xét đề nghị kết nạp đảng viên."), *_person(case),
                Field("Người giới thiệu", ", ".join(intro) + (f"; nghị quyết đoàn thể {case.union_resolution}"
                                                               if case.union_resolution else "")),
                Field("Tuổi vào ngày chi bộ xét", case.age_text),
                Field("Thẩm tra lý lịch",
                      f"{case.verified_by}, ngày {_d(case.verified_on)}, số {case.verification_ref}"),
                *_vote_fields(vote, "đảng viên chính thức"),
                Paragraph("Chi bộ đề nghị cấp ủy cấp trên xem xét, quyết định kết nạp quần chúng trên vào Đảng.")],
        signer_on_behalf="T/M CHI BỘ", signer_title="BÍ THƯ", signer_name=_signer(case, case.unit),
        recipients=["Cấp ủy cấp trên", "Lưu chi bộ"])


def committee_resolution(case: AdmissionCase) -> OfficialDocument:
    vote = _vote(case, Vote.Kind.COMMITTEE)
    unit = case.deciding_unit or case.unit
    return OfficialDocument(
        title="NGHỊ QUYẾT", subtitle="Về việc kết nạp đảng viên", form_code="Mẫu 8-KNĐ",
        issuer=unit.name.upper(), upper_issuer=UPPER, number=f"Số {case.committee_resolution_no or '…'}",
        place=unit.city, issued_on=vote.held_on,
        blocks=[Paragraph(f"Xét nghị quyết số {case.cell_resolution_no} ngày {_d(case.cell_vote_on)} "
                          f"của {case.unit.name}."),
                *_person(case), *_vote_fields(vote, "cấp ủy viên"),
                Paragraph("Cấp ủy đồng ý kết nạp quần chúng trên vào Đảng.")],
        signer_on_behalf="T/M ĐẢNG ỦY", signer_title="BÍ THƯ", signer_name=_signer(case, unit),
        recipients=[case.unit.name, "Lưu"])


def admission_decision(case: AdmissionCase) -> OfficialDocument:
    unit = case.deciding_unit or case.unit
    return OfficialDocument(
        title="QUYẾT ĐỊNH", subtitle="Kết nạp đảng viên", form_code="Mẫu 9-KNĐ",
        issuer=unit.name.upper(), upper_issuer=UPPER, number=f"Số {case.decision_no}", place=unit.city,
        issued_on=case.decision_on,
        blocks=[Paragraph(f"Xét nghị quyết số {case.committee_resolution_no} ngày {_d(case.committee_vote_on)}."),
                Paragraph("QUYẾT ĐỊNH", bold=True, align="center", indent=False),
                Paragraph("Điều 1. Kết nạp vào Đảng Cộng sản Việt Nam:"), *_person(case),
                Field("Sinh hoạt tại", case.unit.name),
                Paragraph(f"Điều 2. {case.unit.name} tổ chức lễ kết nạp trong thời hạn 30 ngày làm việc kể từ ngày "
                          "nhận quyết định.")],
        signer_on_behalf="T/M ĐẢNG ỦY", signer_title="BÍ THƯ", signer_name=_signer(case, unit),
        recipients=[case.unit.name, "Người vào Đảng", "Lưu"])


def ceremony_minutes(case: AdmissionCase) -> OfficialDocument:
    return OfficialDocument(
        title="BIÊN BẢN", subtitle="Lễ kết nạp đảng viên", issuer=case.unit.name.upper(),
        upper_issuer=(case.deciding_unit or case.unit).name.upper(), place=case.unit.city, issued_on=case.ceremony_on,
        blocks=[Paragraph(f"Ngày {_d(case.ceremony_on)}, chi bộ tổ chức lễ kết nạp đảng viên."), *_person(case),
                Field("Quyết định kết nạp", f"số {case.decision_no} ngày {_d(case.decision_on)}"),
                Field("Ngày vào Đảng", _d(case.ceremony_on)),
                Field("Đảng viên chính thức giúp đỡ", case.helper.full_name if case.helper else ""),
                Field("Hết thời kỳ dự bị", _d(case.probation_end))],
        signer_on_behalf="T/M CHI BỘ", signer_title="BÍ THƯ", signer_name=_signer(case, case.unit),
        recipients=["Lưu chi bộ"])


def self_review(case: AdmissionCase) -> OfficialDocument:
    return OfficialDocument(
        title="BẢN TỰ KIỂM ĐIỂM", subtitle="Đề nghị công nhận đảng viên chính thức", form_code="Mẫu 10-KNĐ",
        issuer=case.unit.name.upper(), place=case.unit.city,
        blocks=[Field("Họ và tên", case.applicant.full_name), Field("Ngày vào Đảng", _d(case.ceremony_on)),
                Field("Hết thời kỳ dự bị", _d(case.probation_end)), Field("Sinh hoạt tại", case.unit.name),
                Paragraph("1. Ưu điểm (tư tưởng chính trị, phẩm chất đạo đức, lối sống, ý thức tổ chức kỷ luật, "
                          "thực hiện nhiệm vụ): ……"),
                Paragraph("2. Khuyết điểm và hướng khắc phục: ……"),
                Paragraph("Đề nghị chi bộ xét, công nhận tôi là đảng viên chính thức.")],
        signer_title="NGƯỜI TỰ KIỂM ĐIỂM", signer_name=case.applicant.full_name)


def helper_comment(case: AdmissionCase) -> OfficialDocument:
    return OfficialDocument(
        title="BẢN NHẬN XÉT", subtitle="Của đảng viên được phân công giúp đỡ đảng viên dự bị", form_code="Mẫu 11-KNĐ",
        issuer=case.unit.name.upper(), place=case.unit.city,
        blocks=[Field("Đảng viên giúp đỡ", case.helper.full_name if case.helper else ""),
                Field("Đảng viên dự bị", case.applicant.full_name), Field("Ngày vào Đảng", _d(case.ceremony_on)),
                Paragraph("Nhận xét quá trình phấn đấu trong thời kỳ dự bị: ……"),
                Paragraph("Đề nghị chi bộ xét, công nhận đảng viên chính thức.")],
        signer_title="ĐẢNG VIÊN GIÚP ĐỠ", signer_name=case.helper.full_name if case.helper else "")


def confirmation_cell_resolution(case: AdmissionCase) -> OfficialDocument:
    vote = _vote(case, Vote.Kind.CONFIRMATION)
    return OfficialDocument(
        title="NGHỊ QUYẾT", subtitle="Đề nghị công nhận đảng viên chính thức", form_code="Mẫu 13-KNĐ",
        issuer=case.unit.name.upper(), upper_issuer=(case.deciding_unit or case.unit).name.upper(),
        number=f"Số {case.confirmation_resolution_no or '…'}", place=case.unit.city, issued_on=vote.held_on,
        blocks=[*_person(case), Field("Ngày vào Đảng", _d(case.ceremony_on)),
                Field("Hết thời kỳ dự bị", _d(case.probation_end)), *_vote_fields(vote, "đảng viên chính thức"),
                Paragraph(f"Chi bộ đề nghị cấp ủy công nhận đảng viên chính thức từ ngày {_d(case.probation_end)}.")],
        signer_on_behalf="T/M CHI BỘ", signer_title="BÍ THƯ", signer_name=_signer(case, case.unit),
        recipients=["Cấp ủy cấp trên", "Lưu chi bộ"])


def confirmation_committee_resolution(case: AdmissionCase) -> OfficialDocument:
    vote = _vote(case, Vote.Kind.CONFIRMATION_COMMITTEE)
    unit = case.deciding_unit or case.unit
    return OfficialDocument(
        title="NGHỊ QUYẾT", subtitle="Về việc công nhận đảng viên chính thức", form_code="Mẫu 15-KNĐ",
        issuer=unit.name.upper(), upper_issuer=UPPER, number=f"Số {case.confirmation_decision_no}",
        place=unit.city, issued_on=vote.held_on,
        blocks=[Paragraph(f"Xét nghị quyết số {case.confirmation_resolution_no} ngày {_d(case.confirmation_voted_on)} "
                          f"của {case.unit.name}."), *_person(case), *_vote_fields(vote, "cấp ủy viên"),
                Field("Công nhận đảng viên chính thức từ ngày", _d(case.confirmed_on))],
        signer_on_behalf="T/M ĐẢNG ỦY", signer_title="BÍ THƯ", signer_name=_signer(case, unit),
        recipients=[case.unit.name, "Lưu"])


@dataclass(frozen=True)
class Form:
    code: str
    label: str
    build: Callable[[AdmissionCase], OfficialDocument]
    ready: Callable[[AdmissionCase], bool]


FORMS: dict[str, Form] = {f.code: f for f in [
    Form("6-KND", "Nghị quyết chi bộ đề nghị kết nạp (6-KNĐ)", cell_resolution,
         lambda c: c.votes.filter(kind=Vote.Kind.CELL, passed=True).exists()),
    Form("8-KND", "Nghị quyết cấp ủy về kết nạp (8-KNĐ)", committee_resolution,
         lambda c: c.votes.filter(kind=Vote.Kind.COMMITTEE, passed=True).exists()),
    Form("9-KND", "Quyết định kết nạp (9-KNĐ)", admission_decision, lambda c: bool(c.decision_on)),
    Form("le-ket-nap", "Biên bản lễ kết nạp", ceremony_minutes, lambda c: bool(c.ceremony_on)),
    Form("10-KND", "Bản tự kiểm điểm của đảng viên dự bị (10-KNĐ)", self_review, lambda c: bool(c.ceremony_on)),
    Form("11-KND", "Bản nhận xét của đảng viên giúp đỡ (11-KNĐ)", helper_comment, lambda c: bool(c.ceremony_on)),
    Form("13-KND", "Nghị quyết chi bộ đề nghị công nhận chính thức (13-KNĐ)", confirmation_cell_resolution,
         lambda c: bool(c.confirmation_voted_on)),
    Form("15-KND", "Nghị quyết cấp ủy công nhận chính thức (15-KNĐ)", confirmation_committee_resolution,
         lambda c: c.stage == Stage.FULL),
]}


def forms_ready(case: AdmissionCase) -> list[Form]:
    return [f for f in FORMS.values() if f.ready(case)]


def build(case: AdmissionCase, code: str) -> OfficialDocument:
    form = FORMS.get(code)
    if form is None or not form.ready(case):
        raise ValidationError({"form": _("Văn bản này chưa lập được ở bước hiện tại của hồ sơ.")})
    return form.build(case)
