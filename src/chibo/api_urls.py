from django.urls import path

from chibo.admission import api as admission_api
from chibo.deadlines import api as deadlines_api
from chibo.meetings import api as meetings_api
from chibo.members import api as members_api
from chibo.rules import api as rules_api
from chibo.transfers import api as transfers_api
from chibo.units import api as units_api

urlpatterns = [
    path("units/", units_api.UnitList.as_view(), name="api_units"),
    path("units/<int:pk>/", units_api.UnitDetail.as_view(), name="api_unit"),
    path("members/", members_api.MemberList.as_view(), name="api_members"),
    path("members/<int:pk>/", members_api.MemberDetail.as_view(), name="api_member"),
    path("members/<int:pk>/timeline/", members_api.MemberTimeline.as_view(), name="api_member_timeline"),
    path("deadlines/", deadlines_api.DeadlineList.as_view(), name="api_deadlines"),
    path("deadlines/<int:pk>/", deadlines_api.DeadlineDetail.as_view(), name="api_deadline"),
    path("meetings/", meetings_api.MeetingList.as_view(), name="api_meetings"),
    path("meetings/<int:pk>/", meetings_api.MeetingDetail.as_view(), name="api_meeting"),
    path("meetings/<int:pk>/actions/", meetings_api.MeetingActions.as_view(), name="api_meeting_actions"),
    path("ballots/<int:pk>/", meetings_api.BallotDetail.as_view(), name="api_ballot"),
    path("ballots/<int:pk>/actions/", meetings_api.BallotActions.as_view(), name="api_ballot_actions"),
    path("transfers/", transfers_api.TransferList.as_view(), name="api_transfers"),
    path("transfers/<int:pk>/", transfers_api.TransferDetail.as_view(), name="api_transfer"),
    path("transfers/<int:pk>/actions/", transfers_api.TransferActions.as_view(), name="api_transfer_actions"),
    path("trips/", transfers_api.TripList.as_view(), name="api_trips"),
    path("trips/<int:pk>/actions/", transfers_api.TripActions.as_view(), name="api_trip_actions"),
    path("declarations/", transfers_api.DeclarationList.as_view(), name="api_declarations"),
    path("declarations/<int:pk>/actions/", transfers_api.DeclarationActions.as_view(), name="api_declaration_actions"),
    path("exemptions/", transfers_api.ExemptionList.as_view(), name="api_exemptions"),
    path("exemptions/<int:pk>/actions/", transfers_api.ExemptionActions.as_view(), name="api_exemption_actions"),
    path("delegations/", transfers_api.DelegationList.as_view(), name="api_delegations"),
    path("delegations/<int:pk>/", transfers_api.DelegationDetail.as_view(), name="api_delegation"),
    path("delegations/<int:pk>/actions/", transfers_api.DelegationActions.as_view(), name="api_delegation_actions"),
    path("admission/cases/", admission_api.CaseList.as_view(), name="api_admission_cases"),
    path("admission/cases/<int:pk>/", admission_api.CaseDetail.as_view(), name="api_admission_case"),
    path("admission/cases/<int:pk>/actions/", admission_api.CaseActions.as_view(), name="api_admission_actions"),
    path("rules/", rules_api.RuleList.as_view(), name="api_rules"),
    path("rules/<str:key>/", rules_api.RuleDetail.as_view(), name="api_rule"),
]
