"""What each audit action and each kind of audited object is called in Vietnamese (the audit log page, its
filters and its API show these, never the codes).

The actions written by the code are listed here; the member timeline's event types (whose type is the audit
action) register their own labels when they are declared (``register``). ``core/tests/test_audit_labels.py``
reads the source for every action written and fails when one has no label.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from chibo.core.text import search_key

OTHER = _("Thao tác khác")

ACTIONS = {
    # accounts, sign-in
    "auth.login": _("Đăng nhập"),
    "auth.login_failed": _("Đăng nhập không thành công"),
    "auth.logout": _("Đăng xuất"),
    "mfa.totp_enrolled": _("Đăng ký xác thực hai bước"),
    "user.created": _("Tạo tài khoản"),
    "user.member_linked": _("Gắn tài khoản với hồ sơ đảng viên"),
    "account.activated": _("Kích hoạt tài khoản"),
    "account.deactivated": _("Khóa tài khoản"),
    "account.first_officer": _("Tạo tài khoản cán bộ đầu tiên"),
    "account.invitation_resent": _("Gửi lại lời mời kích hoạt"),
    "account.invitation_revoked": _("Thu hồi lời mời kích hoạt"),
    "account.invited": _("Mời kích hoạt tài khoản"),
    "account.sessions_ended": _("Kết thúc các phiên đăng nhập"),
    "role.granted": _("Giao quyền"),
    "role.withdrawn": _("Thu hồi quyền"),
    "token.created": _("Tạo khóa truy cập API"),
    "token.revoked": _("Thu hồi khóa truy cập API"),
    "feed_token.created": _("Tạo đường dẫn lịch"),
    "feed_token.revoked": _("Thu hồi đường dẫn lịch"),
    # rulebook, calendar
    "rule.defined": _("Thêm quy định"),
    "rule.version_added": _("Thêm phiên bản quy định"),
    "rule.confirmed": _("Xác nhận quy định"),
    "calendar.day_added": _("Thêm ngày nghỉ, ngày làm bù"),
    "calendar.day_removed": _("Bỏ ngày nghỉ, ngày làm bù"),
    # units
    "unit.created": _("Thành lập tổ chức đảng"),
    "unit.updated": _("Sửa thông tin tổ chức đảng"),
    "unit.moved": _("Chuyển tổ chức đảng sang cấp trên khác"),
    "unit.closed": _("Giải thể, kết thúc tổ chức đảng"),
    # members
    "member.viewed": _("Xem hồ sơ đảng viên"),
    "member.discarded": _("Hủy hồ sơ nhập nhầm"),
    "members.exported": _("Xuất danh sách đảng viên"),
    "members.book_exported": _("Xuất sổ danh sách đảng viên"),
    "members.imported": _("Nhập danh sách đảng viên"),
    "bulk.report_downloaded": _("Tải báo cáo nhập danh sách"),
    "bulk.template_downloaded": _("Tải mẫu danh sách"),
    "exchange.exported": _("Xuất tệp trao đổi dữ liệu"),
    "exchange.imported": _("Nhập tệp trao đổi dữ liệu vào hệ thống trống"),
    "exchange.reconciled": _("Đối chiếu với dữ liệu toàn quốc"),
    # deadlines
    "deadline.opened": _("Mở thời hạn"),
    "deadline.met": _("Hoàn thành đúng hạn"),
    "deadline.waived": _("Miễn thời hạn"),
    "deadline.extended": _("Gia hạn"),
    "deadline.due_moved": _("Tính lại ngày đến hạn"),
    "deadline.late_explained": _("Giải trình chậm hạn"),
    "deadline.discarded": _("Bỏ thời hạn"),
    # admission
    "applicant.recorded": _("Ghi nhận quần chúng ưu tú"),
    "admission.opened": _("Mở hồ sơ kết nạp"),
    "admission.course": _("Ghi giấy chứng nhận lớp bồi dưỡng"),
    "admission.application": _("Nhận đơn xin vào Đảng"),
    "admission.introducers": _("Ghi người giới thiệu"),
    "admission.comments": _("Ghi nhận xét của đoàn thể, nơi cư trú"),
    "admission.verified": _("Thẩm tra lý lịch"),
    "admission.cell_voted": _("Chi bộ biểu quyết đề nghị kết nạp"),
    "admission.cell_vote_failed": _("Chi bộ biểu quyết không đủ số tán thành"),
    "admission.committee_voted": _("Cấp ủy biểu quyết kết nạp"),
    "admission.committee_vote_failed": _("Cấp ủy biểu quyết không đủ số tán thành"),
    "admission.decided": _("Quyết định kết nạp"),
    "admission.decision_extended": _("Gia hạn thời hạn quyết định kết nạp"),
    "admission.ceremony": _("Tổ chức lễ kết nạp"),
    "admission.confirmation_voted": _("Biểu quyết công nhận đảng viên chính thức"),
    "admission.confirmation_vote_failed": _("Biểu quyết công nhận chính thức không đủ số tán thành"),
    "admission.confirmed": _("Công nhận đảng viên chính thức"),
    "admission.escalated": _("Báo cáo cấp ủy cấp trên"),
    "admission.struck_off": _("Xóa tên trong danh sách đảng viên dự bị"),
    "admission.withdrawn": _("Rút hồ sơ kết nạp"),
    "admission.rejected": _("Không đề nghị kết nạp"),
    "admission.paper_downloaded": _("Tải giấy tờ hồ sơ kết nạp"),
    # meetings, ballots
    "meeting.planned": _("Lên lịch sinh hoạt"),
    "meeting.updated": _("Sửa lịch sinh hoạt"),
    "meeting.notice_sent": _("Gửi thông báo họp"),
    "meeting.document_added": _("Thêm tài liệu cuộc họp"),
    "meeting.opened": _("Khai mạc cuộc họp"),
    "meeting.checked_in": _("Điểm danh có mặt"),
    "meeting.attendance": _("Ghi điểm danh"),
    "meeting.absence_flagged": _("Ghi nhận vắng mặt nhiều lần"),
    "meeting.held": _("Kết thúc cuộc họp"),
    "meeting.resolution_added": _("Thêm nghị quyết"),
    "meeting.vote_recorded": _("Ghi kết quả biểu quyết"),
    "meeting.minutes_drafted": _("Soạn biên bản"),
    "meeting.minutes_edited": _("Sửa biên bản"),
    "meeting.minutes_approved": _("Thông qua biên bản"),
    "meeting.settings_changed": _("Đổi thiết lập sinh hoạt của chi bộ"),
    "meetings.document_downloaded": _("Tải tài liệu cuộc họp"),
    "meetings.minutes_downloaded": _("Tải biên bản cuộc họp"),
    "meetings.resolution_downloaded": _("Tải nghị quyết cuộc họp"),
    "ballot.opened": _("Mở bỏ phiếu kín"),
    "ballot.closed": _("Kết thúc bỏ phiếu kín"),
    "ballot.participated": _("Bỏ phiếu"),
    "ballot.paper_entered": _("Nhập phiếu giấy"),
    "ballot.voter_added": _("Thêm người bỏ phiếu"),
    # transfers
    "transfers.letter_issued": _("Cấp giấy giới thiệu sinh hoạt đảng"),
    "transfers.letter_voided": _("Hủy giấy giới thiệu sinh hoạt đảng"),
    "transfers.letter_downloaded": _("Tải giấy giới thiệu sinh hoạt đảng"),
    "transfers.book_exported": _("Xuất sổ giới thiệu sinh hoạt đảng"),
    "transfers.decision_downloaded": _("Tải quyết định"),
    "transfers.delegation_created": _("Lập đoàn công tác"),
    "transfers.delegation_closed": _("Kết thúc đoàn công tác"),
    "transfers.hold_opened": _("Giữ sinh hoạt đảng"),
    "transfers.hold_closed": _("Kết thúc giữ sinh hoạt đảng"),
    "transfers.org_created": _("Thêm tổ chức đảng trong nước"),
    "transfers.org_updated": _("Sửa tổ chức đảng trong nước"),
    "transfers.org_activated": _("Dùng lại tổ chức đảng trong nước"),
    "transfers.org_deactivated": _("Ngừng dùng tổ chức đảng trong nước"),
    # dues
    "dues.profile_set": _("Ghi diện đóng đảng phí"),
    "dues.decision_recorded": _("Ghi quyết định miễn, giảm đảng phí"),
    "dues.decision_revoked": _("Thu hồi quyết định miễn, giảm đảng phí"),
    "dues.exchange_rate_set": _("Ghi tỷ giá"),
    "dues.obligations_generated": _("Lập số phải đóng trong tháng"),
    "dues.payment_posted": _("Ghi thu đảng phí"),
    "dues.payment_reversed": _("Ghi đảo bút toán đảng phí"),
    "dues.statement_posted": _("Ghi sổ thu đảng phí tháng"),
    "dues.remitted": _("Nộp đảng phí lên cấp trên"),
    "dues.remittance_confirmed": _("Xác nhận nhận đảng phí nộp lên"),
    "dues.remittance_returned": _("Trả lại lần nộp đảng phí"),
    "dues.receipt_downloaded": _("Tải biên lai đảng phí"),
    "dues.book_exported": _("Xuất sổ thu đảng phí"),
    # discipline
    "discipline.opened": _("Mở vụ kỷ luật"),
    "discipline.assigned": _("Phân công thẩm tra"),
    "discipline.explained": _("Nhận bản kiểm điểm, giải trình"),
    "discipline.voted": _("Biểu quyết hình thức kỷ luật"),
    "discipline.decided": _("Quyết định kỷ luật"),
    "discipline.dropped": _("Không xử lý kỷ luật"),
    "discipline.appealed": _("Nhận đơn khiếu nại kỷ luật"),
    "discipline.appeal_decided": _("Giải quyết khiếu nại kỷ luật"),
    "discipline.case_viewed": _("Xem hồ sơ kỷ luật"),
    "discipline.case_denied": _("Bị từ chối xem hồ sơ kỷ luật"),
    "discipline.notice_recorded": _("Ghi thông báo kỷ luật của cơ quan nhà nước"),
    "discipline.notice_considered": _("Xem xét thông báo kỷ luật"),
    "discipline.notice_closed": _("Kết thúc thông báo kỷ luật"),
    "discipline.notice_viewed": _("Xem thông báo kỷ luật"),
    "discipline.notice_denied": _("Bị từ chối xem thông báo kỷ luật"),
    "discipline.decision_downloaded": _("Tải quyết định kỷ luật"),
    "discipline.register_downloaded": _("Tải sổ theo dõi kỷ luật"),
    # inspection
    "inspection.plan_created": _("Lập kế hoạch kiểm tra, giám sát"),
    "inspection.item_added": _("Thêm nội dung kiểm tra, giám sát"),
    "inspection.item_started": _("Bắt đầu kiểm tra, giám sát"),
    "inspection.item_concluded": _("Kết luận kiểm tra, giám sát"),
    "inspection.item_cancelled": _("Hủy nội dung kiểm tra, giám sát"),
    "inspection.opened": _("Mở cuộc kiểm tra khi có dấu hiệu vi phạm"),
    "inspection.assigned": _("Phân công kiểm tra"),
    "inspection.explained": _("Nhận giải trình"),
    "inspection.concluded": _("Kết luận kiểm tra"),
    "inspection.dropped": _("Dừng kiểm tra"),
    "inspection.note_added": _("Thêm ghi chú kiểm tra"),
    "inspection.case_viewed": _("Xem hồ sơ kiểm tra"),
    "inspection.case_denied": _("Bị từ chối xem hồ sơ kiểm tra"),
    # work programs and proposals
    "programs.program_created": _("Lập chương trình công tác"),
    "programs.item_added": _("Thêm việc vào chương trình công tác"),
    "programs.item_started": _("Bắt đầu thực hiện việc trong chương trình công tác"),
    "programs.item_done": _("Ghi hoàn thành việc trong chương trình công tác"),
    "programs.item_dropped": _("Ghi không thực hiện việc trong chương trình công tác"),
    "programs.item_handed_down": _("Giao việc cho tổ chức trực thuộc"),
    "programs.item_reminded": _("Nhắc, đôn đốc việc trong chương trình công tác"),
    "programs.proposal_raised": _("Gửi kiến nghị lên cấp trên"),
    "programs.proposal_received": _("Ghi đã nhận kiến nghị"),
    "programs.proposal_answered": _("Trả lời kiến nghị"),
    "programs.proposal_withdrawn": _("Rút kiến nghị"),
    # grading
    "grading.period_open": _("Mở kỳ đánh giá, xếp loại"),
    "grading.period_lock": _("Khóa kỳ đánh giá, xếp loại"),
    "grading.save": _("Lưu bản tự đánh giá"),
    "grading.set_form": _("Chọn mẫu kiểm điểm"),
    "grading.appraise": _("Nhận xét, đề xuất mức xếp loại"),
    "grading.return": _("Trả lại bản kiểm điểm"),
    "grading.remind": _("Nhắc nộp bản kiểm điểm"),
    "grading.unit_submit": _("Trình cấp ủy xếp loại"),
    "grading.unit_return": _("Cấp ủy trả lại kết quả xếp loại"),
    "grading.unit_decide": _("Cấp ủy quyết định xếp loại"),
    "grading.unit_correct": _("Cấp ủy sửa quyết định xếp loại"),
    "grading.paper_downloaded": _("Tải bản kiểm điểm"),
    "grading.summary_downloaded": _("Tải tổng hợp xếp loại"),
    "stats.downloaded": _("Tải bảng thống kê"),
    # study
    "study.session_planned": _("Lên lịch học tập"),
    "study.attendance_recorded": _("Ghi danh sách dự học"),
    "study.reflection_written": _("Viết bài thu hoạch"),
    "study.reflection_viewed": _("Xem bài thu hoạch"),
    "study.reflections_viewed": _("Xem các bài thu hoạch"),
    "study.reflection_denied": _("Bị từ chối xem bài thu hoạch"),
    "study.certificate_recorded": _("Ghi giấy chứng nhận học tập"),
    "study.certificate_deleted": _("Xóa giấy chứng nhận học tập"),
    # library
    "library.document_sent": _("Gửi tài liệu"),
    "library.version_added": _("Thêm bản mới của tài liệu"),
    "library.document_read": _("Đọc tài liệu"),
    "library.document_denied": _("Bị từ chối xem tài liệu"),
    "library.file_downloaded": _("Tải tệp tài liệu"),
    "library.file_denied": _("Bị từ chối tải tệp tài liệu"),
    "library.classified_registered": _("Đăng ký tài liệu mật"),
    "library.classified_viewed": _("Xem sổ tài liệu mật"),
    "library.classified_denied": _("Bị từ chối xem tài liệu mật"),
    "library.classified_handed_over": _("Bàn giao tài liệu mật"),
    "library.classified_destroyed": _("Tiêu hủy tài liệu mật"),
    "library.handover_acknowledged": _("Xác nhận nhận bàn giao tài liệu mật"),
    "library.handover_denied": _("Bị từ chối xem biên bản bàn giao"),
    # privacy
    "privacy.request_filed": _("Gửi yêu cầu về dữ liệu cá nhân"),
    "privacy.request_answered": _("Trả lời yêu cầu về dữ liệu cá nhân"),
    "privacy.request_refused": _("Từ chối yêu cầu về dữ liệu cá nhân"),
    "privacy.exported": _("Xuất dữ liệu cá nhân"),
    "privacy.anonymised": _("Ẩn danh dữ liệu"),
    "privacy.breach_recorded": _("Ghi nhận sự cố dữ liệu"),
    "privacy.breach_notified": _("Thông báo sự cố dữ liệu"),
    # reports
    "reports.template_created": _("Ban hành mẫu báo cáo"),
    "reports.template_changed": _("Sửa mẫu báo cáo"),
    "reports.template_versioned": _("Ban hành phiên bản mới của mẫu báo cáo"),
    "reports.opened": _("Mở báo cáo định kỳ"),
    "reports.written": _("Viết phần đánh giá của báo cáo"),
    "reports.submitted": _("Nộp báo cáo định kỳ"),
    "reports.corrected": _("Lập bản điều chỉnh báo cáo"),
    "reports.reminded": _("Nhắc nộp báo cáo"),
    "reports.paper_read": _("Tải báo cáo định kỳ"),
}

# The kinds of objects audit rows are about (their model name).
OBJECT_TYPES = {
    "member": _("Đảng viên"),
    "applicant": _("Quần chúng"),
    "unit": _("Tổ chức đảng"),
    "user": _("Tài khoản"),
    "roleassignment": _("Phân quyền"),
    "rule": _("Quy định"),
    "calendarday": _("Ngày nghỉ, ngày làm bù"),
    "deadline": _("Thời hạn"),
    "admissioncase": _("Hồ sơ kết nạp"),
    "meeting": _("Cuộc họp"),
    "resolution": _("Nghị quyết"),
    "ballot": _("Bỏ phiếu kín"),
    "transfer": _("Chuyển sinh hoạt đảng"),
    "letter": _("Giấy giới thiệu"),
    "delegation": _("Đoàn công tác"),
    "case": _("Vụ việc"),
    "importjob": _("Lần nhập danh sách"),
    "apitoken": _("Khóa truy cập API"),
    "feedtoken": _("Đường dẫn lịch"),
    "invitation": _("Lời mời kích hoạt"),
    "appeal": _("Đơn khiếu nại"),
    "notice": _("Thông báo kỷ luật"),
    "decision": _("Quyết định"),
    "entry": _("Bút toán đảng phí"),
    "exchangerate": _("Tỷ giá"),
    "obligation": _("Số phải đóng"),
    "profile": _("Diện đóng đảng phí"),
    "receipt": _("Biên lai"),
    "remittance": _("Lần nộp đảng phí"),
    "period": _("Kỳ đánh giá"),
    "review": _("Bản kiểm điểm"),
    "unitreview": _("Xếp loại tổ chức"),
    "plan": _("Kế hoạch kiểm tra"),
    "planitem": _("Nội dung kiểm tra"),
    "inspection": _("Cuộc kiểm tra"),
    "supervisionnote": _("Ghi chú kiểm tra"),
    "session": _("Buổi học tập"),
    "reflection": _("Bài thu hoạch"),
    "certificate": _("Giấy chứng nhận"),
    "document": _("Tài liệu"),
    "documentfile": _("Tệp tài liệu"),
    "classifiedentry": _("Tài liệu mật"),
    "handover": _("Biên bản bàn giao"),
    "datarequest": _("Yêu cầu về dữ liệu"),
    "breach": _("Sự cố dữ liệu"),
    "anonymisation": _("Ẩn danh dữ liệu"),
    "transferhold": _("Giữ sinh hoạt"),
    "outsideorganization": _("Tổ chức đảng trong nước"),
    "trip": _("Chuyến đi nước ngoài"),
    "declaration": _("Bản khai"),
    "exemption": _("Miễn sinh hoạt"),
    "meetingdocument": _("Tài liệu cuộc họp"),
    "meetingsettings": _("Thiết lập sinh hoạt"),
    "report": _("Báo cáo định kỳ"),
    "template": _("Mẫu báo cáo"),
    "program": _("Chương trình công tác"),
    "item": _("Việc trong chương trình công tác"),
    "proposal": _("Kiến nghị, đề xuất"),
}

_REGISTERED: dict[str, object] = {}


def register(action: str, label) -> None:
    """Give an action written elsewhere (a timeline event type) its label; it wins over the list above, so the
    log and the member's timeline call a step alike."""
    _REGISTERED[action] = label


def action_labels() -> dict[str, str]:
    """Every known action → its label, in the current language."""
    return {**{k: str(v) for k, v in ACTIONS.items()}, **{k: str(v) for k, v in _REGISTERED.items()}}


def action_label(action: str) -> str:
    """The action in words; an action no longer written by the code (an old row) is "Thao tác khác"."""
    found = _REGISTERED.get(action) or ACTIONS.get(action)
    return str(found) if found else str(OTHER)


def object_type_label(object_type: str) -> str:
    return str(OBJECT_TYPES.get(object_type, "")) if object_type else ""


def actions_matching(text: str) -> list[str]:
    """The actions whose label contains ``text`` (case and diacritics ignored) or that are ``text`` itself: what
    the log's filter by action looks for."""
    wanted = search_key(text)
    return sorted(a for a, label in action_labels().items() if a == text or (wanted and wanted in search_key(label)))
