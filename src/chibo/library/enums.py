"""Kinds of library documents and levels of classified ones (docs/domain.md, "Tủ tài liệu")."""

from django.db import models


class DocKind(models.TextChoices):
    RESOLUTION = "resolution", "Nghị quyết"
    DIRECTIVE = "directive", "Chỉ thị"
    CONCLUSION = "conclusion", "Kết luận"
    REGULATION = "regulation", "Quy định"
    GUIDANCE = "guidance", "Hướng dẫn"
    PLAN = "plan", "Kế hoạch"
    NOTICE = "notice", "Thông báo"
    OTHER = "other", "Tài liệu khác"


class Level(models.TextChoices):
    """Levels of state secrets (Law 117/2025/QH15)."""

    MAT = "mat", "Mật"
    TOI_MAT = "toi_mat", "Tối mật"
    TUYET_MAT = "tuyet_mat", "Tuyệt mật"


AUDIENCE_ROLES = [("secretary", "Bí thư / phó bí thư"), ("committee", "Cấp ủy viên"),
                  ("org_officer", "Cán bộ tổ chức"), ("inspector", "Cán bộ kiểm tra"),
                  ("treasurer", "Người thu đảng phí")]
