"""The words of party work the pages use, explained in plain Vietnamese: the glossary page lists them, and the
``term`` template tag (``core.templatetags.glossary``) puts the same explanation on a word wherever a page uses
it. One list, so a page and the glossary never say two different things."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Term:
    key: str  # the anchor on the glossary page (#chi-bo)
    word: StrOrPromise
    meaning: StrOrPromise


TERMS: tuple[Term, ...] = (
    Term(
        "dang-uy-cap-tren",
        _("Đảng ủy cấp trên"),
        _(
            "Đảng ủy trực tiếp chỉ đạo các tổ chức đảng ở ngoài nước (Đảng ủy Bộ Ngoại giao). Quản lý toàn bộ cây "
            "tổ chức, nhận đảng viên chuyển ra nước ngoài, quyết định những việc được giao."
        ),
    ),
    Term(
        "dang-bo-co-so",
        _("Đảng bộ cơ sở, chi bộ cơ sở"),
        _(
            "Tổ chức đảng tại một cơ quan đại diện (đại sứ quán, tổng lãnh sự quán, phái đoàn), thường mỗi nước một "
            "tổ chức. Đảng bộ cơ sở có các chi bộ trực thuộc; chi bộ cơ sở thì không."
        ),
    ),
    Term(
        "chi-bo",
        _("Chi bộ"),
        _(
            "Tổ chức nhỏ nhất của Đảng, nơi đảng viên sinh hoạt, họp, biểu quyết và đóng đảng phí. Thường cần ít "
            "nhất ba đảng viên chính thức."
        ),
    ),
    Term("to-dang", _("Tổ đảng"), _("Nhóm đảng viên trong một chi bộ, để chia việc; không phải một cấp tổ chức.")),
    Term(
        "cap-uy",
        _("Cấp ủy, chi ủy"),
        _(
            "Ban chấp hành của một tổ chức đảng (ở chi bộ gọi là chi ủy), gồm bí thư, phó bí thư và các cấp ủy "
            "viên. Ở ngoài nước cấp ủy do cấp trên chỉ định."
        ),
    ),
    Term(
        "bi-thu",
        _("Bí thư, phó bí thư"),
        _(
            "Người đứng đầu và người giúp việc của cấp ủy hoặc chi bộ: triệu tập và chủ trì sinh hoạt, điểm danh, "
            "lập biên bản, trình cấp trên."
        ),
    ),
    Term(
        "dang-vien-chinh-thuc",
        _("Đảng viên chính thức"),
        _("Đảng viên đã qua thời gian dự bị và được công nhận chính thức; có quyền biểu quyết, ứng cử, bầu cử."),
    ),
    Term(
        "dang-vien-du-bi",
        _("Đảng viên dự bị"),
        _(
            "Người vừa được kết nạp, đang trong 12 tháng dự bị. Dự sinh hoạt và phát biểu nhưng không biểu quyết, "
            "không ứng cử, không bầu cử. Hết thời gian dự bị, chi bộ xét công nhận chính thức."
        ),
    ),
    Term(
        "quan-chung-uu-tu",
        _("Quần chúng ưu tú"),
        _(
            "Người được chi bộ giới thiệu, đang làm hồ sơ xin vào Đảng. Trong hệ thống chỉ xem hồ sơ kết nạp của "
            "chính mình."
        ),
    ),
    Term(
        "ket-nap",
        _("Kết nạp đảng viên"),
        _(
            "Các bước đưa một quần chúng ưu tú vào Đảng: lớp bồi dưỡng, đơn, lý lịch, người giới thiệu, chi bộ xét, "
            "cấp trên quyết định, lễ kết nạp."
        ),
    ),
    Term(
        "cong-nhan-chinh-thuc",
        _("Công nhận đảng viên chính thức"),
        _(
            "Khi hết 12 tháng dự bị, chi bộ họp xét và cấp có thẩm quyền quyết định công nhận đảng viên dự bị thành "
            "đảng viên chính thức."
        ),
    ),
    Term(
        "chuyen-sinh-hoat",
        _("Chuyển sinh hoạt đảng"),
        _(
            "Chuyển một đảng viên từ tổ chức đảng này sang tổ chức đảng khác (ví dụ khi đi công tác, đi học ở "
            "nước ngoài từ 12 tháng trở lên), kèm giấy giới thiệu và hồ sơ đảng viên."
        ),
    ),
    Term(
        "sinh-hoat-tam-thoi",
        _("Sinh hoạt tạm thời"),
        _(
            "Đảng viên đi vắng từ 3 đến dưới 12 tháng: vẫn thuộc chi bộ gốc (đóng đảng phí ở đó), tạm thời sinh "
            "hoạt ở nơi đến, được ghi điểm danh nhưng không biểu quyết về tổ chức, nhân sự ở nơi đến."
        ),
    ),
    Term(
        "dang-vien-don-le",
        _("Đảng viên đơn lẻ"),
        _("Đảng viên ở nơi chưa có tổ chức đảng; sinh hoạt trực tiếp với Đảng ủy cấp trên."),
    ),
    Term(
        "mien-cong-tac",
        _("Miễn công tác và sinh hoạt đảng"),
        _(
            "Đảng viên vì tuổi cao hoặc bệnh được chi bộ đồng ý cho miễn công tác và sinh hoạt đảng; nếu đến họp "
            "thì vẫn được tính là có mặt."
        ),
    ),
    Term(
        "dinh-chi-sinh-hoat",
        _("Đình chỉ sinh hoạt"),
        _(
            "Đảng viên tạm thời không được sinh hoạt đảng trong thời gian bị xem xét; không tính vào số phải dự họp "
            "và không biểu quyết."
        ),
    ),
    Term(
        "sinh-hoat-chi-bo",
        _("Sinh hoạt chi bộ"),
        _("Cuộc họp của chi bộ: thường kỳ mỗi tháng, chuyên đề khi cần. Có điểm danh, biên bản, nghị quyết."),
    ),
    Term(
        "bieu-quyet",
        _("Biểu quyết, bỏ phiếu kín"),
        _(
            "Cách chi bộ quyết định: giơ tay (công khai) hoặc bỏ phiếu kín. Chỉ đảng viên chính thức có mặt được "
            "biểu quyết; phiếu kín cần đủ số người để không lộ ai chọn gì."
        ),
    ),
    Term(
        "bien-ban",
        _("Biên bản, nghị quyết"),
        _(
            "Biên bản ghi lại cuộc họp (thời gian, người dự, nội dung, kết quả biểu quyết), có chữ ký chủ trì và "
            "thư ký. Nghị quyết là điều chi bộ đã quyết."
        ),
    ),
    Term(
        "dang-phi",
        _("Đảng phí"),
        _("Khoản đảng viên đóng hằng tháng theo thu nhập, nộp cho chi bộ; chi bộ nộp lên cấp trên."),
    ),
    Term(
        "kiem-diem",
        _("Kiểm điểm, đánh giá, xếp loại"),
        _(
            "Cuối năm mỗi đảng viên tự kiểm điểm, chi bộ nhận xét và xếp loại (hoàn thành xuất sắc, tốt, hoàn "
            "thành, không hoàn thành nhiệm vụ)."
        ),
    ),
    Term(
        "kiem-tra-giam-sat",
        _("Kiểm tra, giám sát"),
        _("Việc cấp ủy và ủy ban kiểm tra xem xét tổ chức đảng, đảng viên có làm đúng quy định không."),
    ),
    Term("ky-luat", _("Kỷ luật"), _("Hình thức xử lý đảng viên vi phạm: khiển trách, cảnh cáo, cách chức, khai trừ.")),
    Term(
        "xoa-ten",
        _("Xóa tên"),
        _(
            "Đưa khỏi danh sách đảng viên người bỏ sinh hoạt hoặc không đóng đảng phí nhiều tháng không có lý do, "
            "hay người dự bị không đủ tư cách."
        ),
    ),
    Term(
        "ly-lich",
        _("Lý lịch, hồ sơ đảng viên"),
        _(
            "Bản khai về bản thân đảng viên và quá trình hoạt động; hệ thống ghi thêm các sự kiện (chuyển sinh hoạt, "
            "kỷ luật, xếp loại...) theo thời gian."
        ),
    ),
    Term(
        "the-dang",
        _("Thẻ đảng viên"),
        _("Thẻ cấp cho đảng viên chính thức; số thẻ giúp phân biệt hai người trùng tên."),
    ),
    Term(
        "dien",
        _("Diện ở nước ngoài"),
        _(
            "Lý do đảng viên ở nước ngoài: cán bộ cơ quan đại diện, phu nhân/phu quân, lưu học sinh, người lao "
            "động, định cư, thành viên đoàn công tác."
        ),
    ),
    Term(
        "ban-to-chuc",
        _("Ban Tổ chức"),
        _("Cơ quan giúp việc của Đảng ủy cấp trên về tổ chức và đảng viên: quản lý hồ sơ, chuyển sinh hoạt, kết nạp."),
    ),
    Term(
        "han",
        _("Hạn"),
        _(
            "Ngày phải làm xong một việc (ví dụ xét công nhận chính thức, nộp bản kiểm điểm). Ngày làm việc không "
            "tính thứ Bảy, Chủ nhật và ngày lễ, Tết."
        ),
    ),
)

_BY_KEY = {t.key: t for t in TERMS}


def term(key: str) -> Term:
    """The term of ``key``; an unknown key is a mistake in a template, so it fails loudly."""
    return _BY_KEY[key]
