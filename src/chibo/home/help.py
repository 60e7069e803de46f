"""The short guides of the help pages, one per role: what a person in that role does with chibo, each task with a
link to the page where it is done. Read-only text; the pages a guide links to check who may use them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Task:
    text: StrOrPromise
    page: str = ""  # a URL name; "" when the task has no page of its own
    terms: tuple[str, ...] = ()  # glossary keys the task's words rely on

    @property
    def url(self) -> str:
        return reverse(self.page) if self.page else ""


@dataclass(frozen=True)
class Guide:
    key: str
    title: StrOrPromise
    intro: StrOrPromise
    tasks: tuple[Task, ...]


GUIDES: tuple[Guide, ...] = (
    Guide(
        "dang-vien",
        _("Đảng viên"),
        _("Bạn xem hồ sơ của mình, dự sinh hoạt, đọc tài liệu và làm những việc chi bộ giao, từ bất kỳ nơi nào."),
        (
            Task(
                _("Trang Tổng quan cho biết việc đang chờ bạn: cuộc họp sắp tới, bản khai, bản kiểm điểm, đảng phí."),
                "dashboard",
            ),
            Task(_("Xem và kiểm tra hồ sơ của mình; báo chi bộ nếu có gì sai."), "members:me", ("ly-lich",)),
            Task(
                _("Xem lịch sinh hoạt chi bộ, tự điểm danh khi cuộc họp mở, bỏ phiếu và kiểm tra biên nhận phiếu kín."),
                "meetings:index",
                ("sinh-hoat-chi-bo", "bieu-quyet"),
            ),
            Task(_("Đọc tài liệu chi bộ gửi; có thể lưu để đọc khi không có mạng."), "library:index"),
            Task(
                _("Khi đi vắng hoặc chuyển nơi công tác: làm đơn chuyển sinh hoạt, báo cáo chuyến đi, bản khai."),
                "transfers:mine",
                ("chuyen-sinh-hoat", "sinh-hoat-tam-thoi"),
            ),
            Task(_("Cuối năm: tự kiểm điểm để chi bộ nhận xét, xếp loại."), "grading:index", ("kiem-diem",)),
            Task(_("Xem các hạn của mình và nhận lịch về điện thoại."), "deadlines:radar", ("han",)),
        ),
    ),
    Guide(
        "bi-thu",
        _("Bí thư chi bộ"),
        _("Bạn giữ danh sách đảng viên của chi bộ, tổ chức sinh hoạt, và trình cấp trên những việc cần quyết định."),
        (
            Task(_("Mở Tổng quan mỗi tuần: việc quá hạn, việc sắp đến hạn, việc chờ bạn quyết định."), "dashboard"),
            Task(
                _(
                    "Lên lịch họp, gửi thông báo và tài liệu, mở họp, điểm danh (tất cả có mặt rồi đánh dấu người "
                    "vắng), in danh sách ký tên, lập và thông qua biên bản."
                ),
                "meetings:index",
                ("sinh-hoat-chi-bo", "bien-ban"),
            ),
            Task(_("Kiểm tra số lần sinh hoạt trong năm của chi bộ."), "meetings:compliance"),
            Task(_("Cập nhật hồ sơ đảng viên, in danh sách chi bộ."), "members:list", ("ly-lich",)),
            Task(
                _("Theo dõi hồ sơ kết nạp và công nhận chính thức."),
                "admission:board",
                ("ket-nap", "cong-nhan-chinh-thuc"),
            ),
            Task(
                _("Nhận đảng viên chuyển đến, ghi ý kiến chi bộ về đơn của đảng viên."),
                "transfers:list",
                ("chuyen-sinh-hoat",),
            ),
            Task(_("Ghi đảng phí đã thu và nộp cấp trên."), "dues:index", ("dang-phi",)),
            Task(_("Lập báo cáo định kỳ gửi cấp trên: số liệu có sẵn, viết phần đánh giá rồi nộp."), "reports:index"),
            Task(_("Xem tất cả các hạn của chi bộ; in bảng hạn khi họp chi ủy."), "deadlines:radar", ("han",)),
        ),
    ),
    Guide(
        "cap-uy",
        _("Cấp ủy viên, ủy viên ủy ban kiểm tra"),
        _(
            "Bạn xem các tổ chức trong phạm vi được giao, theo dõi việc của các chi bộ và làm phần việc của cấp "
            "ủy hay ủy ban kiểm tra."
        ),
        (
            Task(
                _("Tổng quan cho biểu đồ đảng viên theo tình trạng, diện, quốc gia và số kết nạp mới qua các năm."),
                "dashboard",
            ),
            Task(
                _("Xem cây tổ chức, cấp ủy từng nơi, in danh sách đảng viên của một tổ chức."),
                "units:tree",
                ("cap-uy",),
            ),
            Task(_("Theo dõi chi bộ nào chưa sinh hoạt đủ."), "meetings:compliance"),
            Task(
                _("Kiểm tra, giám sát theo kế hoạch; hồ sơ kỷ luật."),
                "inspection:index",
                ("kiem-tra-giam-sat", "ky-luat"),
            ),
            Task(_("Kiểm điểm, xếp loại tổ chức và đảng viên cuối năm."), "grading:index", ("kiem-diem",)),
            Task(_("Bảng hạn theo từng tổ chức: nơi nào đang chậm."), "deadlines:radar", ("han",)),
        ),
    ),
    Guide(
        "ban-to-chuc",
        _("Cán bộ Ban Tổ chức"),
        _("Bạn quản lý cả cây tổ chức: đơn vị, cấp ủy, tài khoản, hồ sơ đảng viên, chuyển sinh hoạt và kết nạp."),
        (
            Task(_("Tổng quan: số liệu toàn Đảng bộ, kèm biểu đồ và bảng số liệu, đi sâu từng cấp."), "dashboard"),
            Task(_("Lập, sửa, đóng tổ chức; chỉ định cấp ủy."), "units:tree", ("dang-bo-co-so", "cap-uy")),
            Task(_("Nhập danh sách đảng viên từ Excel, xuất danh sách."), "bulk:import"),
            Task(_("Ban hành mẫu báo cáo; theo dõi tổ chức chưa nộp báo cáo, nhắc nộp, xem số liệu tổng hợp."),
                 "reports:index"),
            Task(_("Mời người dùng, cấp và thu hồi quyền."), "accounts:users"),
            Task(
                _("Chuyển sinh hoạt ra, vào và trong nước ngoài; đoàn công tác."),
                "transfers:list",
                ("chuyen-sinh-hoat", "sinh-hoat-tam-thoi", "dang-vien-don-le"),
            ),
            Task(
                _("Quyết định kết nạp, công nhận chính thức được giao."),
                "admission:board",
                ("ket-nap", "cong-nhan-chinh-thuc"),
            ),
            Task(
                _("Sửa quy định khi văn bản mới có hiệu lực (mỗi thay đổi là một dòng mới, có căn cứ)."), "rules:index"
            ),
            Task(_("Xem nhật ký: ai làm gì, trên hồ sơ nào, khi nào."), "audit_log"),
        ),
    ),
)


def guide(key: str) -> Guide:
    found = next((g for g in GUIDES if g.key == key), None)
    if found is None:
        raise Http404
    return found
