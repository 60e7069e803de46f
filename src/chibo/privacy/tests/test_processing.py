"""The record of processing (docs/domain.md §10): generated from the declarations in privacy.processing, it names
every model that holds personal data, with a purpose, a legal basis, who may see it (from the roles' permissions)
and how long it is kept (the retention rules read from the rulebook)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.urls import reverse

from chibo.core.access import ROLE_PERMISSIONS
from chibo.privacy import export, processing

PERSON_RECORDS = {"members.Member", "admission.Applicant", "accounts.User", "core.AuditEvent"}


def test_every_model_holding_personal_data_is_declared():
    holding = {key.rsplit(".", 1)[0] for key, _f in export.person_fields()} | PERSON_RECORDS
    missing = sorted(holding - processing.declared_models())
    assert not missing, f"declare these in privacy.processing.CATEGORIES: {missing}"
    for label in processing.declared_models():
        apps.get_model(label)  # no stale declaration
    known = set().union(*ROLE_PERMISSIONS.values())
    for category in processing.CATEGORIES:
        assert category.purpose and category.basis and category.retention, category.key
        assert set(category.perms) <= known, category.key
    keys = [c.key for c in processing.CATEGORIES]
    assert len(keys) == len(set(keys))


@pytest.mark.django_db
def test_the_page_and_the_api_list_each_category(client_of):
    rows = client_of("dangvien.phap").get("/api/v1/privacy/processing/").json()
    member = next(r for r in rows if r["key"] == "member_record")
    assert "members.Member" in member["models"] and "91/2025" in member["basis"]
    assert "Chính người đó (phần của mình)" in member["who"] and "Bí thư / phó bí thư" in member["who"]
    assert "10 năm" in member["retention"] and "cần xác nhận" in member["retention"]
    applicants = next(r for r in rows if r["key"] == "admission")
    assert "Thời gian giữ dữ liệu của quần chúng không được kết nạp" in applicants["retention"]
    page = client_of("ungvien.phap").get(reverse("privacy:processing"))
    assert page.status_code == 200 and "Hồ sơ đảng viên" in page.content.decode()
    assert client_of("ungvien.phap").get(reverse("privacy:index")).status_code == 200
