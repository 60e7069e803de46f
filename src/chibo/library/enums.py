"""Kinds of library documents and levels of classified ones (docs/domain.md, "Tủ tài liệu")."""

from django.db import models
from django.utils.translation import gettext_noop


class DocKind(models.TextChoices):
    RESOLUTION = "resolution", gettext_noop("Nghị quyết")
    DIRECTIVE = "directive", gettext_noop("Chỉ thị")
    CONCLUSION = "conclusion", gettext_noop("Kết luận")
    REGULATION = "regulation", gettext_noop("Quy định")
    GUIDANCE = "guidance", gettext_noop("Hướng dẫn")
    PLAN = "plan", gettext_noop("Kế hoạch")
    NOTICE = "notice", gettext_noop("Thông báo")
    OTHER = "other", gettext_noop("Tài liệu khác")


class Level(models.TextChoices):
    """Levels of state secrets (Law 117/2025/QH15)."""

    MAT = "mat", gettext_noop("Mật")
    TOI_MAT = "toi_mat", gettext_noop("Tối mật")
    TUYET_MAT = "tuyet_mat", gettext_noop("Tuyệt mật")


AUDIENCE_ROLES = [("secretary", gettext_noop("Bí thư / phó bí thư")), ("committee", gettext_noop("Cấp ủy viên")),
                  ("org_officer", gettext_noop("Cán bộ tổ chức")), ("inspector", gettext_noop("Cán bộ kiểm tra")),
                  ("treasurer", gettext_noop("Người thu đảng phí"))]
