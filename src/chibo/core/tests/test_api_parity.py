"""Every action a page offers is also an API operation: each page route that accepts a write names its API
twin here, and the twin must exist, accept a write and appear in the OpenAPI schema. A new page action
without a twin fails this test."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from chibo.core.tests.test_permission_matrix import project_routes, write_methods

# page route → the API route(s) doing the same thing
TWINS: dict[str, tuple[str, ...]] = {
    "accounts:activate": ("api_invitation_accept",),
    "accounts:invite": ("api_accounts",),
    "accounts:role_grant": ("api_roles",),
    "accounts:role_withdraw": ("api_role_withdraw",),
    "accounts:session_end": ("api_my_session_end",),
    "accounts:token_new": ("api_my_tokens",),
    "accounts:token_revoke": ("api_my_token_revoke",),
    "accounts:user_deactivate": ("api_account_deactivate",),
    "accounts:user_end_sessions": ("api_account_end_sessions",),
    "accounts:user_resend": ("api_account_resend",),
    "accounts:user_revoke": ("api_account_revoke",),
    "admission:invite": ("api_admission_invite",),
    "admission:new": ("api_admission_cases",),
    "admission:step": ("api_admission_actions",),
    "bulk:import": ("api_imports",),
    "bulk:job_cancel": ("api_import_cancel",),
    "bulk:job_run": ("api_import_run",),
    "bulk:exchange_import": ("api_exchange_import",),
    "bulk:exchange_reconcile": ("api_exchange_reconcile",),
    "deadlines:explain": ("api_deadline_explain",),
    "dues:decision": ("api_dues_decisions",),
    "dues:decision_revoke": ("api_dues_decision_revoke",),
    "dues:exchange_rate": ("api_dues_exchange_rates",),
    "dues:exchange_rates_import": ("api_dues_exchange_rates_import",),
    "dues:pay": ("api_dues_payments",),
    "dues:profile": ("api_dues_profile",),
    "dues:rates": ("api_dues_rates",),
    "dues:remit": ("api_dues_remittances",),
    "dues:remittance": ("api_dues_remittance_actions",),
    "dues:reverse": ("api_dues_reverse",),
    "dues:statement": ("api_dues_statement",),
    "dues:unit": ("api_dues_unit",),
    "discipline:act": ("api_discipline_case_actions",),
    "discipline:new": ("api_discipline_cases",),
    "discipline:notice_act": ("api_discipline_notice_actions",),
    "discipline:notice_new": ("api_discipline_notices",),
    "grading:index": ("api_grading_periods",),
    "inspection:case_act": ("api_inspection_case_actions",),
    "reports:open": ("api_reports",),
    "reports:report": ("api_report",),
    "reports:act": ("api_report_actions",),
    "reports:templates": ("api_report_templates",),
    "reports:template": ("api_report_template",),
    "reports:remind": ("api_report_reminders",),
    "inspection:item_act": ("api_inspection_item_actions",),
    "inspection:new": ("api_inspection_cases",),
    "inspection:plan": ("api_inspection_plan_items",),
    "inspection:plan_new": ("api_inspection_plans",),
    "inspection:plan_notes": ("api_inspection_plan_notes",),
    "programs:item_act": ("api_program_item_actions",),
    "programs:new": ("api_programs",),
    "programs:program": ("api_program_items",),
    "programs:proposal_act": ("api_proposal_actions",),
    "programs:proposal_new": ("api_proposals",),
    "grading:period_act": ("api_grading_period_actions",),
    "grading:review_act": ("api_grading_review_actions",),
    "grading:unit_review_act": ("api_grading_unit_review_actions",),
    "deadlines:feed_manage": ("api_my_feed",),
    "deadlines:waive": ("api_deadline_waive",),
    "meetings:act": ("api_meeting_actions",),
    "meetings:check_in": ("api_meeting_actions",),
    "meetings:receipt": ("api_ballot_receipt",),
    "meetings:new": ("api_meetings",),
    "meetings:unit_settings": ("api_unit_meeting_settings",),
    "meetings:vote": ("api_ballot_actions",),
    "library:acknowledge": ("api_library_handover_acknowledge",),
    "library:classified": ("api_library_classified",),
    "library:destroy": ("api_library_entry_destroy",),
    "library:handover": ("api_library_entry_handovers",),
    "library:new": ("api_library_documents",),
    "library:version": ("api_library_document_versions",),
    "members:edit": ("api_member",),
    "members:invite": ("api_member_invite",),
    "members:invite_unit": ("api_unit_invite_members",),
    "members:new": ("api_members",),
    "members:post_end": ("api_post_end",),
    "members:post_new": ("api_unit_posts",),
    "members:status": ("api_member_status",),
    "notifications:read": ("api_my_notifications_read",),
    "privacy:act": ("api_privacy_request_actions",),
    "privacy:breach_act": ("api_privacy_breach_actions",),
    "privacy:breaches": ("api_privacy_breaches",),
    "privacy:export": ("api_privacy_request_export",),
    "privacy:new": ("api_privacy_requests",),
    "privacy:anonymise": ("api_privacy_anonymise",),
    "rules:calendar": ("api_calendar_days",),
    "rules:calendar_remove": ("api_calendar_day_remove",),
    "rules:detail": ("api_rule",),
    "rules:confirm": ("api_rule_confirm",),
    "study:attendance": ("api_study_session_attendance",),
    "study:certificate_delete": ("api_study_certificate_delete",),
    "study:certificates": ("api_study_certificates",),
    "study:reflection_write": ("api_study_session_reflection",),
    "study:session_new": ("api_study_sessions",),
    "transfers:act": ("api_transfer_actions",),
    "transfers:declaration": ("api_declaration_actions",),
    "transfers:declaration_new": ("api_declarations",),
    "transfers:delegation_close": ("api_delegation_actions",),
    "transfers:delegation_new": ("api_delegations",),
    "transfers:exemption": ("api_exemption_actions",),
    "transfers:exemption_new": ("api_exemptions",),
    "transfers:hold_close": ("api_hold_close",),
    "transfers:hold_new": ("api_holds",),
    "transfers:incoming": ("api_transfer_incoming",),
    "transfers:letter_void": ("api_letter_void",),
    "transfers:new": ("api_transfers",),
    "transfers:org_active": ("api_organization_active",),
    "transfers:org_edit": ("api_organization",),
    "transfers:orgs": ("api_organizations",),
    "transfers:review_certify": ("api_return_review_certify",),
    "transfers:review_new": ("api_return_reviews",),
    "transfers:rotation": ("api_rotation",),
    "transfers:trip": ("api_trip_actions",),
    "transfers:trip_new": ("api_trips",),
    "units:close": ("api_unit_close",),
    "units:create_child": ("api_units",),
    "units:edit": ("api_unit",),
}


def page_writes() -> dict[str, object]:
    return {ident: route for ident, route in project_routes().items()
            if route.module.startswith("chibo.") and not route.pattern.startswith("api/") and write_methods(route)}


def test_every_page_action_names_its_api_twin():
    missing = sorted(set(page_writes()) - set(TWINS))
    assert not missing, f"page actions without an API operation: {missing}"
    stale = sorted(set(TWINS) - set(page_writes()))
    assert not stale, f"TWINS lists page routes that no longer take a write: {stale}"


def test_every_twin_is_a_write_operation_of_the_api():
    routes = project_routes()
    for page, twins in TWINS.items():
        for twin in twins:
            assert twin in routes, f"{page}: no API route named {twin}"
            assert routes[twin].pattern.startswith("api/v1/"), twin
            assert write_methods(routes[twin]), f"{page}: {twin} takes no write"


@pytest.mark.django_db
def test_every_twin_is_in_the_schema(client_of):
    schema = client_of("ban.tochuc").get(reverse("api_schema") + "?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    routes = project_routes()
    for twins in TWINS.values():
        for twin in twins:
            pattern = re.sub(r"<\w+:(\w+)>", lambda m: "{id}" if m.group(1) == "pk" else "{" + m.group(1) + "}",
                             "/" + routes[twin].pattern)
            operations = paths.get(pattern, {})
            assert {"post", "patch"} & set(operations), f"{twin} ({pattern}) has no write operation in the schema"
