"""The record of processing (docs/domain.md §10, Law 91/2025 and Decree 356/2025): each category of personal data
chibo holds, the models that hold it, its purpose, legal basis, who may see it and how long it is kept.

The declarations are this module's ``CATEGORIES``, keyed by model label; ``privacy/tests/test_processing.py`` fails
when a model that holds personal data (every model with a field pointing at a member, an applicant or an account,
as ``export.person_fields()`` finds them, and the person records themselves) is not declared here. Who may see a
category is not written out by hand: it is generated from the permissions named (the roles of
``core.access.ROLE_PERMISSIONS`` holding one), and the retention of the categories tied to a rule is read from the
rulebook for the day asked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext, gettext_noop

from chibo.core.access import ROLE_PERMISSIONS, Role
from chibo.core.rule_words import said_value
from chibo.core.rulebook import describe_value, rule, rule_name

PARTY_BASIS = ("Điều lệ Đảng và các quy định thi hành; Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15, Nghị định "
               "356/2025/NĐ-CP (dữ liệu cá nhân nhạy cảm: quan điểm chính trị)")
ACCOUNT_BASIS = ("Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15, Nghị định 356/2025/NĐ-CP (bảo đảm an toàn hệ thống: "
                 "xác thực, nhật ký hoạt động)")
MEMBER_RULE = "privacy.keep_former_member_years"
APPLICANT_RULE = "privacy.keep_applicant_years"
WHILE_MEMBER = gettext_noop("Khi còn sinh hoạt; sau khi ra khỏi danh sách: {rule}, rồi ẩn danh")
THEMSELF = gettext_noop("Chính người đó (phần của mình)")
TO_CONFIRM = gettext_noop(" — cần xác nhận")
WHILE_DISCIPLINE = gettext_noop("Khi còn sinh hoạt; sau khi ra khỏi danh sách: {rule}, rồi ẩn danh; hồ sơ kỷ luật hoặc "
                                "khiếu nại đang giải quyết thì giữ đến khi xong")


@dataclass(frozen=True)
class Category:
    key: str
    label: str                     # the category of personal data
    models: tuple[str, ...]        # "app_label.Model"
    purpose: str
    basis: str
    perms: tuple[str, ...]         # the roles holding one of these see it (within their units)
    themself: bool                 # the person sees their own
    retention: str                 # "{rule}" is replaced by the rule's value for the day asked
    retention_rule: str = ""


CATEGORIES: tuple[Category, ...] = (
    Category("member_record", gettext_noop(
        "Hồ sơ đảng viên: lý lịch, số định danh, liên lạc, quá trình sinh hoạt, chức vụ cấp ủy"),
             ("members.Member", "members.TimelineEvent", "members.CommitteePost"),
             gettext_noop("Quản lý đảng viên, tổ chức đảng theo Điều lệ Đảng"), PARTY_BASIS, ("members.view",), True,
             WHILE_MEMBER, MEMBER_RULE),
    Category("admission", gettext_noop("Hồ sơ kết nạp của quần chúng ưu tú (người giới thiệu, nghị quyết, quyết định)"),
             ("admission.Applicant", "admission.AdmissionCase"),
             gettext_noop("Xem xét kết nạp đảng viên"), PARTY_BASIS, ("admission.view",), True,
             gettext_noop("Khi hồ sơ còn mở; sau khi rút hồ sơ hoặc không được kết nạp: {rule}, rồi ẩn danh"),
             APPLICANT_RULE),
    Category("meetings", gettext_noop("Sinh hoạt chi bộ: điểm danh, danh sách cử tri biểu quyết"),
             ("meetings.Attendance", "meetings.BallotVoter"),
             gettext_noop("Tổ chức sinh hoạt chi bộ, biểu quyết (phiếu kín không ghi người bỏ phiếu)"), PARTY_BASIS,
             ("meetings.view",), True, WHILE_MEMBER, MEMBER_RULE),
    Category("dues", gettext_noop("Đảng phí: mức đóng, quyết định miễn giảm, sổ thu nộp"),
             ("dues.Profile", "dues.Decision", "dues.Obligation", "dues.Entry"),
             gettext_noop("Thu, nộp, quản lý đảng phí (Quy định 01-QĐ/TW)"), PARTY_BASIS, ("dues.view",), True,
             WHILE_MEMBER, MEMBER_RULE),
    Category("grading", gettext_noop("Kiểm điểm, đánh giá, xếp loại đảng viên"), ("grading.Review",),
             gettext_noop("Kiểm điểm, đánh giá, xếp loại hằng năm (Quy định 366-QĐ/TW)"),
             PARTY_BASIS, ("grading.view",), True,
             WHILE_MEMBER, MEMBER_RULE),
    Category("discipline", gettext_noop("Kiểm tra, giám sát, kỷ luật đảng; thông báo kỷ luật của cơ quan nhà nước"),
             ("discipline.Case", "discipline.Notice", "inspection.PlanItem", "inspection.SupervisionNote",
              "inspection.Inspection"),
             gettext_noop("Kiểm tra, giám sát và thi hành kỷ luật đảng (Quy định 296-QĐ/TW, 69-QĐ/TW)"), PARTY_BASIS,
             ("discipline.decide", "discipline.inspect", "inspection.view"), True,
             WHILE_DISCIPLINE, MEMBER_RULE),
    Category("programs", gettext_noop("Chương trình công tác: việc đảng viên được giao phụ trách"),
             ("programs.Item",),
             gettext_noop("Xây dựng, kiểm tra, đôn đốc thực hiện chương trình công tác"),
             PARTY_BASIS, ("meetings.view",), True,
             WHILE_MEMBER, MEMBER_RULE),
    Category("transfers", gettext_noop("Chuyển sinh hoạt, đi nước ngoài, đoàn công tác, miễn sinh hoạt, khai báo"),
             ("transfers.TransferHold", "transfers.Transfer", "transfers.Letter", "transfers.ReturnReview",
              "transfers.DelegationMember", "transfers.Trip", "transfers.Exemption", "transfers.Declaration"),
             gettext_noop("Quản lý đảng viên ở nước ngoài, chuyển sinh hoạt đảng"), PARTY_BASIS,
             ("transfers.edit", "transfers.hold"), True, WHILE_MEMBER, MEMBER_RULE),
    Category("study", gettext_noop(
        "Học tập, tài liệu: điểm danh học tập, chứng chỉ, thu hoạch, tài liệu đã đọc, sổ tài liệu mật"),
             ("study.Attendance", "study.Certificate", "study.Reflection", "library.Receipt", "library.Handover",
              "library.ClassifiedEntry"),
             gettext_noop("Học tập nghị quyết, bồi dưỡng lý luận; quản lý tài liệu"),
             PARTY_BASIS, ("library.view",), True,
             WHILE_MEMBER, MEMBER_RULE),
    Category("accounts", gettext_noop("Tài khoản: tên đăng nhập, thư điện tử, vai trò, lời mời, khóa API, phiên "
                                      "đăng nhập, xác thực hai bước"),
             ("accounts.User", "accounts.RoleAssignment", "accounts.Invitation", "accounts.ApiToken",
              "account.EmailAddress", "mfa.Authenticator", "usersessions.UserSession", "deadlines.FeedToken"),
             gettext_noop("Đăng nhập an toàn, phân quyền theo vai trò"), ACCOUNT_BASIS, ("accounts.view",), True,
             gettext_noop("Khi tài khoản còn dùng; khóa, xóa thông tin đăng nhập khi ẩn danh người đó")),
    Category("notices", gettext_noop("Thông báo, thư gửi người dùng và thời hạn công việc"),
             ("notifications.Message", "notifications.Notification", "deadlines.Deadline"),
             gettext_noop("Nhắc việc, báo tin cho đúng người"),
             PARTY_BASIS, ("members.view",), True, WHILE_MEMBER, MEMBER_RULE),
    Category("privacy", gettext_noop("Yêu cầu về dữ liệu cá nhân, sổ sự cố dữ liệu, sổ ẩn danh"),
             ("privacy.DataRequest", "privacy.Breach", "privacy.Anonymisation"),
             gettext_noop("Thực hiện quyền của chủ thể dữ liệu, thông báo sự cố, lưu giữ có thời hạn"), ACCOUNT_BASIS,
             ("privacy.handle", "privacy.breach", "privacy.anonymise"), True, WHILE_MEMBER, MEMBER_RULE),
    Category("imports", gettext_noop("Tệp danh sách đảng viên đã nhập"), ("bulk.ImportJob",),
             gettext_noop("Nhập hồ sơ đảng viên hàng loạt"), PARTY_BASIS, ("members.edit",), False,
             gettext_noop("Như hồ sơ đảng viên: {rule} sau khi ra khỏi danh sách"), MEMBER_RULE),
    Category("audit", gettext_noop("Nhật ký kiểm tra: ai làm gì, ai mở hồ sơ đầy đủ (chuỗi băm)"), ("core.AuditEvent",),
             gettext_noop("Bảo đảm toàn vẹn, truy vết việc xử lý dữ liệu; cho người đó biết ai đã xem hồ sơ của mình"),
             ACCOUNT_BASIS, ("audit.view",), True,
             gettext_noop("Lâu dài: không sửa, không xóa (chuỗi băm phải kiểm tra được); người đó chỉ thấy vai trò và "
                          "tổ chức của người xem")),
)


@dataclass(frozen=True)
class RecordRow:
    key: str
    label: str
    models: list[str]
    purpose: str
    basis: str
    who: list[str]
    retention: str


def declared_models() -> set[str]:
    return {label for c in CATEGORIES for label in c.models}


def _who(category: Category, say: Callable[[str], str]) -> list[str]:
    roles = [say(str(label)) for role, label in Role.CHOICES
             if any(p in ROLE_PERMISSIONS.get(role, ()) for p in category.perms)]
    return ([say(THEMSELF)] if category.themself else []) + roles


def _retention(category: Category, on: date, say: Callable[[str], str]) -> str:
    if not category.retention_rule:
        return say(category.retention)
    version = rule(category.retention_rule, on=on)
    value = said_value(version) if say is gettext else describe_value(version)
    if version.confidence == "to_confirm":
        value += say(TO_CONFIRM)
    return say(category.retention).format(rule=f"{value} ({say(rule_name(category.retention_rule))})")


def record_of_processing(on: date, *, translated: bool = False) -> list[RecordRow]:
    """The record, generated from the declarations for the day ``on`` (the retention rules in force then). As the
    rulebook words it (the API), or ``translated`` into the reader's language (the page): the legal bases stay as
    the texts cite them."""
    say: Callable[[str], str] = gettext if translated else str
    return [RecordRow(key=c.key, label=say(c.label), models=list(c.models), purpose=say(c.purpose), basis=c.basis,
                      who=_who(c, say), retention=_retention(c, on, say)) for c in CATEGORIES]
