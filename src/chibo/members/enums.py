"""Public enums of the members app: statuses, categories, the timeline's event kinds, committee posts.

Other apps import these (never ``chibo.members.models``)."""

from __future__ import annotations

from django.db import models


class Gender(models.TextChoices):
    MALE = "M", "Nam"
    FEMALE = "F", "Nữ"


class Status(models.TextChoices):
    PROBATIONARY = "probationary", "Dự bị"
    FULL = "full", "Chính thức"
    EXEMPT = "exempt", "Miễn công tác và sinh hoạt"
    SUSPENDED = "suspended", "Đình chỉ sinh hoạt"
    STRUCK_OFF = "struck_off", "Xóa tên"
    LEFT = "left", "Ra khỏi Đảng"
    EXPELLED = "expelled", "Khai trừ"
    DECEASED = "deceased", "Từ trần"
    # Still a party member, now on the rolls of an organization outside this tree (a former member here).
    TRANSFERRED_OUT = "transferred_out", "Đã chuyển sinh hoạt ra ngoài Đảng bộ"


# Members still on a unit's rolls.
ACTIVE_STATUSES = (Status.PROBATIONARY, Status.FULL, Status.EXEMPT, Status.SUSPENDED)
FULL_STATUSES = (Status.FULL, Status.EXEMPT, Status.SUSPENDED)
# Allowed status changes (the services refuse anything else).
STATUS_TRANSITIONS: dict[str, set[str]] = {
    Status.PROBATIONARY: {Status.FULL, Status.STRUCK_OFF, Status.SUSPENDED, Status.LEFT, Status.DECEASED,
                          Status.TRANSFERRED_OUT},
    Status.FULL: {Status.EXEMPT, Status.SUSPENDED, Status.STRUCK_OFF, Status.LEFT, Status.EXPELLED, Status.DECEASED,
                  Status.TRANSFERRED_OUT},
    Status.EXEMPT: {Status.FULL, Status.SUSPENDED, Status.STRUCK_OFF, Status.LEFT, Status.EXPELLED, Status.DECEASED,
                    Status.TRANSFERRED_OUT},
    Status.SUSPENDED: {Status.FULL, Status.PROBATIONARY, Status.EXEMPT, Status.STRUCK_OFF, Status.LEFT,
                       Status.EXPELLED, Status.DECEASED},
    Status.STRUCK_OFF: set(),
    Status.LEFT: set(),
    Status.EXPELLED: set(),
    Status.DECEASED: set(),
    # Coming back goes through a transfer in (members.services.member_transfer_in), not a status change.
    Status.TRANSFERRED_OUT: set(),
}


class Category(models.TextChoices):
    MISSION_STAFF = "mission_staff", "Cán bộ cơ quan đại diện"
    SPOUSE = "spouse", "Phu nhân/phu quân đi theo"
    STATE_STUDENT = "state_student", "Lưu học sinh học bổng nhà nước"
    SELF_STUDENT = "self_student", "Lưu học sinh tự túc"
    LABOURER = "labourer", "Người lao động"
    RESIDENT = "resident", "Định cư lâu dài"
    DELEGATION = "delegation", "Thành viên đoàn công tác"
    DOMESTIC = "domestic", "Trong nước"


class Education(models.TextChoices):
    LOWER_SECONDARY = "lower_secondary", "Trung học cơ sở"
    UPPER_SECONDARY = "upper_secondary", "Trung học phổ thông"
    COLLEGE = "college", "Cao đẳng"
    BACHELOR = "bachelor", "Đại học"
    MASTER = "master", "Thạc sĩ"
    DOCTOR = "doctor", "Tiến sĩ"


class Theory(models.TextChoices):
    NONE = "none", "Chưa qua đào tạo"
    ELEMENTARY = "elementary", "Sơ cấp"
    INTERMEDIATE = "intermediate", "Trung cấp"
    ADVANCED = "advanced", "Cao cấp"
    BACHELOR = "bachelor", "Cử nhân"


class PostRole(models.TextChoices):
    SECRETARY = "secretary", "Bí thư"
    DEPUTY_SECRETARY = "deputy_secretary", "Phó bí thư"
    COMMITTEE_MEMBER = "committee_member", "Cấp ủy viên"


class TimelineKind(models.TextChoices):
    """The members app's own timeline events; every process declares its own (members.timeline.event_type)."""

    CREATED = "member.created", "Lập hồ sơ đảng viên"
    UPDATED = "member.updated", "Cập nhật lý lịch"
    STATUS_CHANGED = "member.status_changed", "Thay đổi tình trạng"
    MOVED = "member.moved", "Chuyển sinh hoạt trong Đảng bộ"
    APPOINTED = "post.appointed", "Được chỉ định vào cấp ủy"
    POST_ENDED = "post.ended", "Thôi giữ chức vụ cấp ủy"
