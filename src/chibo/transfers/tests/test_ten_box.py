"""The 10-box letter as one paper form: box 1 by the sending cell, each next box by the level above,
the receipt; a voided box 1 voids the form, a voided later box only itself. Real PDF and DOCX files,
their text extracted and read box by box."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from chibo.core.documents import docx_text, pdf_text, render_docx, render_pdf
from chibo.core.lifecycle import TransitionRefused
from chibo.deadlines.models import Deadline
from chibo.members.models import Member, Status
from chibo.transfers import services
from chibo.transfers.documents import BLANK, letter_document
from chibo.transfers.lifecycle import next_box
from chibo.transfers.models import Form, Kind, Letter, OutsideOrganization, State, Transfer
from chibo.transfers.selectors import transfer_book

TODAY = date(2026, 6, 15)
FORWARDED = date(2026, 6, 12)
pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _clock():
    with override_settings(CHIBO_TODAY=TODAY):
        yield


def squash(text: str) -> str:
    return " ".join(text.split())


def texts(letter: Letter) -> list[str]:
    doc = letter_document(letter)
    return [squash(pdf_text(render_pdf(doc))), squash(docx_text(render_docx(doc)))]


def box_text(text: str, n: int) -> str:
    """The text of box ``n`` on the back (up to the next box, or the receipt after box 10)."""
    start = text.index(f"Ô SỐ {n} ")
    end = text.index("Ô SỐ 11" if n == 11 else (f"Ô SỐ {n + 1} " if n < 10 else "XÁC NHẬN CỦA NƠI NHẬN"), start)
    return text[start:end]


@pytest.fixture
def chain(actor_of, unit):
    """A member of PHAP-LHS transferred out: box 1 by the cell (10/06), box 2 by the grass-roots
    committee PHAP above it (12/06)."""
    secretary = actor_of("bithu.phap")
    org = OutsideOrganization.objects.get(name="Đảng bộ Vụ Châu Âu")
    member = Member.objects.filter(unit__code="PHAP-LHS", status=Status.FULL, card_number__isnull=False) \
        .order_by("pk").first()
    t = services.transfer_request(actor=secretary, member=member, kind=Kind.OFFICIAL_OUT, to_org=org,
                                  decision_doc="61/QĐ-BNG", decision_date=date(2026, 6, 1),
                                  reason="Về nước nhận công tác", requested_on=date(2026, 6, 5))
    services.transfer_approve(actor=secretary, transfer=t, on=date(2026, 6, 8))
    box1 = services.transfer_issue_letter(actor=secretary, transfer=t, on=date(2026, 6, 10), signer_title="Bí thư",
                                          signer_name="Nguyễn Văn An", dues_paid_through="05/2026")
    box2 = services.transfer_forward(actor=secretary, transfer=t, on=FORWARDED, signer_title="Phó Bí thư",
                                     signer_name="Lê Thị Bình", dues_paid_through="05/2026")
    return t, box1, box2


def test_forwarded_box_goes_to_the_level_above(chain, unit, actor_of):
    t, box1, box2 = chain
    assert (box1.form, box1.box, box1.issuer.code) == (Form.TEN_BOX, 1, "PHAP-LHS")
    assert (box2.form, box2.box, box2.issuer.code) == (Form.TEN_BOX, 2, "PHAP")
    t.refresh_from_db()
    assert t.state == State.FORWARDED and t.forwarded_on == FORWARDED
    # each box is a row in its own issuer's book, with its own number
    assert box1.pk in [x.pk for x in transfer_book(unit("PHAP-LHS"), 2026)]
    assert box2.pk in [x.pk for x in transfer_book(unit("PHAP"), 2026)]
    assert box2.number == f"{box2.seq}-GGT/ĐU"  # France's party committee signs box 2
    # box 3 is the upper committee's: the secretary in France may not write it, the officer may
    assert next_box(t)[0].code == "DUBNG" and next_box(t)[1] == 3
    with pytest.raises(PermissionDenied):
        services.transfer_forward(actor=actor_of("bithu.phap"), transfer=t, on=TODAY, signer_title="Bí thư",
                                  signer_name="X", dues_paid_through="05/2026")
    with pytest.raises(ValidationError) as exc:  # not before the box below it
        services.transfer_forward(actor=actor_of("ban.tochuc"), transfer=t, on=date(2026, 6, 11),
                                  signer_title="Bí thư", signer_name="X", dues_paid_through="05/2026")
    assert "12/06/2026" in exc.value.message_dict["on"][0]
    box3 = services.transfer_forward(actor=actor_of("ban.tochuc"), transfer=t, on=TODAY, signer_title="Bí thư",
                                     signer_name="Trần Quốc Bảo", dues_paid_through="05/2026")
    assert (box3.box, box3.issuer.code) == (3, "DUBNG")
    with pytest.raises(TransitionRefused) as refused:  # nothing above the upper committee: its state says no
        services.transfer_forward(actor=actor_of("ban.tochuc"), transfer=t, on=TODAY, signer_title="Bí thư",
                                  signer_name="X", dues_paid_through="05/2026")
    assert "cấp cao nhất" in refused.value.message


def test_one_form_box_one_then_box_two_then_blank_boxes(chain):
    t, box1, box2 = chain
    m = t.member
    for letter in (box1, box2):  # either box downloads the same paper
        for text in texts(letter):
            front, back = text.split("CÁC Ô GIỚI THIỆU TIẾP", 1)
            for expected in (
                "GIẤY GIỚI THIỆU SINH HOẠT ĐẢNG", "Giấy giới thiệu 10 ô — ô số 1", "CHI BỘ LƯU HỌC SINH TẠI PHÁP",
                f"Số {box1.number}", "ngày 10 tháng 06 năm 2026", "Kính gửi: Đảng bộ Vụ Châu Âu",
                f"Họ và tên: {m.full_name}", f"Số thẻ đảng viên: {m.card_number}", f"Số lý lịch: {m.dossier_number}",
                f"Số thứ tự trong danh sách đảng viên: {box1.member_list_row}",
                f"Số thứ tự trong sổ giới thiệu sinh hoạt đảng: {box1.seq}/2026",
                "Đã đóng đảng phí đến hết tháng: 05/2026", "Quyết định điều động: 61/QĐ-BNG ngày 01/06/2026",
                "Lý do: Về nước nhận công tác", "Đến sinh hoạt tại: Đảng bộ Vụ Châu Âu",
                f"Giấy này có giá trị đến hết ngày {box1.valid_until:%d/%m/%Y}",
                "T/M CHI ỦY", "BÍ THƯ", "Nguyễn Văn An",
            ):
                assert expected in front, expected
            assert "ĐÃ HỦY" not in text
            two = box_text(back, 2)
            for expected in (f"Cấp ủy giới thiệu: {box2.issuer.name}",
                             f"Số giấy, ngày: Số {box2.number}, ngày 12/06/2026",
                             "Giới thiệu tiếp đến: Đảng bộ Vụ Châu Âu",
                             f"Có giá trị đến hết ngày: {box2.valid_until:%d/%m/%Y}",
                             "Người ký: T/M ĐẢNG ỦY — PHÓ BÍ THƯ — Lê Thị Bình"):
                assert expected in two, expected
            assert [int(n) for n in re.findall(r"Ô SỐ (\d+) ", back)] == list(range(2, 11))
            for n in range(3, 11):
                empty = box_text(back, n)
                assert empty.count(BLANK) == 5, (n, empty)
                assert "GGT" not in empty and "Lê Thị Bình" not in empty
            receipt = back[back.index("XÁC NHẬN CỦA NƠI NHẬN"):]
            assert f"Đơn vị nhận: {BLANK}" in receipt and f"Ngày nhận giấy: {BLANK}" in receipt


def test_receipt_printed_once_received(chain, actor_of):
    t, box1, _box2 = chain
    services.transfer_receive(actor=actor_of("bithu.phap"), transfer=t, on=TODAY)
    for text in texts(box1):
        receipt = text[text.index("XÁC NHẬN CỦA NƠI NHẬN"):]
        assert "Đơn vị nhận: Đảng bộ Vụ Châu Âu" in receipt and "Ngày nhận giấy: 15/06/2026" in receipt


def test_void_box_one_voids_the_whole_form(chain, actor_of, unit):
    t, box1, box2 = chain
    services.letter_void(actor=actor_of("bithu.phap"), letter=box1, reason="Viết sai số thẻ ở ô số 1")
    box1.refresh_from_db()
    box2.refresh_from_db()
    assert box1.void_reason == "Viết sai số thẻ ở ô số 1"
    assert box2.is_void and box2.void_reason == f"Ô số 1 (giấy số {box1.number}) bị hủy: Viết sai số thẻ ở ô số 1"
    t.refresh_from_db()
    assert t.state == State.APPROVED
    assert not Deadline.objects.filter(source=t.source, kind="transfer.report", state="open").exists()
    # both stay in their books, marked void
    assert box2.pk in [x.pk for x in transfer_book(unit("PHAP"), 2026)]
    for letter in (box1, box2):
        for text in texts(letter):
            # on the front and again at the top of the back
            assert text.startswith("ĐÃ HỦY — Viết sai số thẻ ở ô số 1")
            assert text.count("ĐÃ HỦY — Viết sai số thẻ ở ô số 1") == 2
            back = text.split("CÁC Ô GIỚI THIỆU TIẾP", 1)[1]
            assert f"Giấy số {box2.number} ngày 12/06/2026 của {box2.issuer.name} — ĐÃ HỦY: Ô số 1" in box_text(back, 2)
            assert f"Đơn vị nhận: {BLANK}" in back
    # a new paper from box 1: not void, its box 2 blank
    again = services.transfer_issue_letter(actor=actor_of("bithu.phap"), transfer=t, on=TODAY, signer_title="Bí thư",
                                           signer_name="Nguyễn Văn An", dues_paid_through="06/2026")
    assert again.box == 1 and again.seq > box1.seq
    for text in texts(again):
        assert "ĐÃ HỦY" not in text and f"Số {again.number}" in text
        assert box_text(text.split("CÁC Ô GIỚI THIỆU TIẾP", 1)[1], 2).count(BLANK) == 5
    # the voided paper still reads as it was
    assert all("ĐÃ HỦY" in text for text in texts(box1))


def test_void_later_box_voids_only_that_box(chain, actor_of):
    t, box1, box2 = chain
    services.letter_void(actor=actor_of("bithu.phap"), letter=box2, reason="Ghi sai nơi đến")
    box1.refresh_from_db()
    assert not box1.is_void
    t.refresh_from_db()
    assert t.state == State.ISSUED
    # the member presents box 1 again: the report clock runs from its date
    assert t.report_due == date(2026, 7, 10)
    assert Deadline.objects.get(source=t.source, kind="transfer.report", state="open").due_date == date(2026, 7, 10)
    for text in texts(box1):
        front, back = text.split("CÁC Ô GIỚI THIỆU TIẾP", 1)
        assert "ĐÃ HỦY" not in front
        two = box_text(back, 2)
        assert f"Giấy số {box2.number} ngày 12/06/2026 của {box2.issuer.name} — ĐÃ HỦY: Ghi sai nơi đến" in two
        assert two.count(BLANK) == 5
    redo = services.transfer_forward(actor=actor_of("bithu.phap"), transfer=t, on=TODAY, signer_title="Phó Bí thư",
                                     signer_name="Lê Thị Bình", dues_paid_through="05/2026")
    assert redo.box == 2 and redo.issuer.code == "PHAP"
    for text in texts(box1):
        two = box_text(text.split("CÁC Ô GIỚI THIỆU TIẾP", 1)[1], 2)
        assert f"Số giấy, ngày: Số {redo.number}, ngày 15/06/2026" in two and "Ghi sai nơi đến" in two


def test_temporary_letter_is_not_forwarded(actor_of, unit):
    secretary = actor_of("bithu.phap")
    member = Member.objects.filter(unit__code="PHAP-DSQ", status=Status.FULL).order_by("pk").last()
    t = services.transfer_request(actor=secretary, member=member, kind=Kind.TEMPORARY, to_unit=unit("PHAP-LHS"),
                                  decision_doc="5/QĐ", decision_date=date(2026, 6, 1), reason="Học ngắn hạn",
                                  period_from=date(2026, 7, 1), period_to=date(2027, 1, 31))
    services.transfer_approve(actor=secretary, transfer=t, on=TODAY)
    letter = services.transfer_issue_letter(actor=secretary, transfer=t, on=TODAY, signer_title="Bí thư",
                                            signer_name="A", dues_paid_through="05/2026")
    assert next_box(t) is None
    with pytest.raises(TransitionRefused):
        services.transfer_forward(actor=secretary, transfer=t, on=TODAY, signer_title="Bí thư", signer_name="A",
                                  dues_paid_through="05/2026")
    assert Letter.objects.filter(transfer=t).count() == 1
    for text in texts(letter):  # 2-SHĐ stays a single letter
        assert "Mẫu 2-SHĐ" in text and "CÁC Ô GIỚI THIỆU TIẾP" not in text


def test_pages_offer_the_next_box_and_download_the_form(chain, client_of):
    t, box1, box2 = chain
    page = client_of("ban.tochuc").get(f"/transfers/{t.pk}/").content.decode()
    assert 'id="act-forward"' in page and "ô số 3" in page.lower()
    assert 'id="act-forward"' not in client_of("bithu.phap").get(f"/transfers/{t.pk}/").content.decode()
    response = client_of("bithu.phap").get(f"/transfers/letter/{box2.pk}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = squash(pdf_text(response.content))
    assert f"Số {box1.number}" in text and f"Số {box2.number}, ngày 12/06/2026" in text
    assert client_of("bithu.duc").get(f"/transfers/letter/{box2.pk}.docx").status_code == 404
    form = {"do": "forward", "on": "15/06/2026", "signer_title": "Bí thư", "signer_name": "Trần Quốc Bảo",
            "dues_paid_through": "05/2026"}
    assert client_of("ban.tochuc").post(f"/transfers/{t.pk}/act/", form).status_code == 302
    assert Transfer.objects.get(pk=t.pk).letters.filter(box=3, issuer__code="DUBNG").exists()


def test_box_one_from_outside_the_tree(actor_of, unit):
    """A 10-box letter from a domestic organization: box 1 is theirs (number and date recorded), the
    upper committee writes box 2 on the same paper."""
    from chibo.members.services import member_create

    officer = actor_of("ban.tochuc")
    org = OutsideOrganization.objects.get(name="Đảng bộ Vụ Châu Âu")
    member = member_create(actor=officer, unit=unit("DUBNG"), status=Status.FULL, full_name="Hoàng Văn Nam",
                           gender="M", birth_date=date(1988, 2, 3), admission_date=date(2014, 5, 1),
                           confirmation_date=date(2015, 5, 1), card_number="55001234", dossier_number="HN777888",
                           category="mission_staff")
    t = services.transfer_register_incoming(
        actor=officer, member=member, kind=Kind.OFFICIAL_IN, from_org=org, incoming_letter="31-GGT/ĐU",
        letter_date=date(2026, 6, 2), decision_doc="70/QĐ-BNG", decision_date=date(2026, 6, 1),
        to_unit=unit("PHAP-DSQ"), reason="Nhận công tác tại Đại sứ quán", at_unit=unit("DUBNG"))
    assert next_box(t) == (unit("DUBNG"), 2)
    box2 = services.transfer_forward(actor=officer, transfer=t, on=date(2026, 6, 5), signer_title="Phó Bí thư",
                                     signer_name="Trần Quốc Bảo", dues_paid_through="05/2026")
    assert (box2.form, box2.box) == (Form.TEN_BOX, 2)
    for text in texts(box2):
        front, back = text.split("CÁC Ô GIỚI THIỆU TIẾP", 1)
        for expected in ("ĐẢNG BỘ VỤ CHÂU ÂU", "Số 31-GGT/ĐU", "ngày 02 tháng 06 năm 2026",
                         "Ô số 1 do Đảng bộ Vụ Châu Âu ghi (giấy số 31-GGT/ĐU ngày 02/06/2026)",
                         "Họ và tên: Hoàng Văn Nam", "Số thẻ đảng viên: 55001234", "Số lý lịch: HN777888",
                         "Quyết định điều động: 70/QĐ-BNG ngày 01/06/2026"):
            assert expected in front, expected
        two = box_text(back, 2)
        for expected in ("Cấp ủy giới thiệu: Đảng ủy Bộ Ngoại giao", f"Số {box2.number}, ngày 05/06/2026",
                         f"Giới thiệu tiếp đến: {unit('PHAP-DSQ').name}", "T/M ĐẢNG ỦY — PHÓ BÍ THƯ — Trần Quốc Bảo"):
            assert expected in two, expected
        assert all(box_text(back, n).count(BLANK) == 5 for n in range(3, 11))


def test_void_box_one_through_the_page(chain, client_of):
    t, box1, box2 = chain
    client = client_of("bithu.phap")
    assert client.post(f"/transfers/letter/{box1.pk}/void/", {"reason": ""}).status_code == 200  # reason needed
    assert not Letter.objects.filter(transfer=t).exclude(void_reason="").exists()
    response = client.post(f"/transfers/letter/{box1.pk}/void/", {"reason": "Viết sai ngày sinh"}, follow=True)
    assert "cả giấy 10 ô bị hủy" in response.content.decode()
    assert set(Letter.objects.filter(transfer=t).values_list("void_reason", flat=True)) == {
        "Viết sai ngày sinh", f"Ô số 1 (giấy số {box1.number}) bị hủy: Viết sai ngày sinh"}
    assert Transfer.objects.get(pk=t.pk).state == State.APPROVED
