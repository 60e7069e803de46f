"""Public enums of the members app: statuses, categories, the timeline's event kinds, committee posts.

Other apps import these (never ``chibo.members.models``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_noop


class Gender(models.TextChoices):
    MALE = "M", gettext_noop("Nam")
    FEMALE = "F", gettext_noop("Nữ")


class Status(models.TextChoices):
    PROBATIONARY = "probationary", gettext_noop("Dự bị")
    FULL = "full", gettext_noop("Chính thức")
    EXEMPT = "exempt", gettext_noop("Miễn công tác và sinh hoạt")
    SUSPENDED = "suspended", gettext_noop("Đình chỉ sinh hoạt")
    STRUCK_OFF = "struck_off", gettext_noop("Xóa tên")
    LEFT = "left", gettext_noop("Ra khỏi Đảng")
    EXPELLED = "expelled", gettext_noop("Khai trừ")
    DECEASED = "deceased", gettext_noop("Từ trần")
    # Still a party member, now on the rolls of an organization outside this tree (a former member here).
    TRANSFERRED_OUT = "transferred_out", gettext_noop("Đã chuyển sinh hoạt ra ngoài Đảng bộ")


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
    MISSION_STAFF = "mission_staff", gettext_noop("Cán bộ cơ quan đại diện")
    SPOUSE = "spouse", gettext_noop("Phu nhân/phu quân đi theo")
    STATE_STUDENT = "state_student", gettext_noop("Lưu học sinh học bổng nhà nước")
    SELF_STUDENT = "self_student", gettext_noop("Lưu học sinh tự túc")
    LABOURER = "labourer", gettext_noop("Người lao động")
    RESIDENT = "resident", gettext_noop("Định cư lâu dài")
    DELEGATION = "delegation", gettext_noop("Thành viên đoàn công tác")
    DOMESTIC = "domestic", gettext_noop("Trong nước")


class Education(models.TextChoices):
    LOWER_SECONDARY = "lower_secondary", gettext_noop("Trung học cơ sở")
    UPPER_SECONDARY = "upper_secondary", gettext_noop("Trung học phổ thông")
    COLLEGE = "college", gettext_noop("Cao đẳng")
    BACHELOR = "bachelor", gettext_noop("Đại học")
    MASTER = "master", gettext_noop("Thạc sĩ")
    DOCTOR = "doctor", gettext_noop("Tiến sĩ")


class Theory(models.TextChoices):
    NONE = "none", gettext_noop("Chưa qua đào tạo")
    ELEMENTARY = "elementary", gettext_noop("Sơ cấp")
    INTERMEDIATE = "intermediate", gettext_noop("Trung cấp")
    ADVANCED = "advanced", gettext_noop("Cao cấp")
    BACHELOR = "bachelor", gettext_noop("Cử nhân")


class PostRole(models.TextChoices):
    SECRETARY = "secretary", gettext_noop("Bí thư")
    DEPUTY_SECRETARY = "deputy_secretary", gettext_noop("Phó bí thư")
    COMMITTEE_MEMBER = "committee_member", gettext_noop("Cấp ủy viên")


class TimelineKind(models.TextChoices):
    """The members app's own timeline events; every process declares its own (members.timeline.event_type)."""

    CREATED = "member.created", gettext_noop("Lập hồ sơ đảng viên")
    UPDATED = "member.updated", gettext_noop("Cập nhật lý lịch")
    STATUS_CHANGED = "member.status_changed", gettext_noop("Thay đổi tình trạng")
    MOVED = "member.moved", gettext_noop("Chuyển sinh hoạt trong Đảng bộ")
    APPOINTED = "post.appointed", gettext_noop("Được chỉ định vào cấp ủy")
    POST_ENDED = "post.ended", gettext_noop("Thôi giữ chức vụ cấp ủy")
