from django.urls import path

from chibo.accounts import api as accounts_api
from chibo.admission import api as admission_api
from chibo.bulk import api as bulk_api
from chibo.deadlines import api as deadlines_api
from chibo.meetings import api as meetings_api
from chibo.members import api as members_api
from chibo.notifications import api as notifications_api
from chibo.rules import api as rules_api
from chibo.transfers import api as transfers_api
from chibo.units import api as units_api

urlpatterns = [
    path("me/", accounts_api.Me.as_view(), name="api_me"),
    path("me/tokens/", accounts_api.MyTokens.as_view(), name="api_my_tokens"),
    path("me/tokens/<int:pk>/revoke/", accounts_api.MyTokenRevoke.as_view(), name="api_my_token_revoke"),
    path("me/sessions/", accounts_api.MySessions.as_view(), name="api_my_sessions"),
    path("me/sessions/<int:pk>/end/", accounts_api.MySessionEnd.as_view(), name="api_my_session_end"),
    path("invitations/accept/", accounts_api.InvitationAccept.as_view(), name="api_invitation_accept"),
    path("accounts/", accounts_api.AccountList.as_view(), name="api_accounts"),
    path("accounts/review/", accounts_api.AccountReview.as_view(), name="api_account_review"),
    path("accounts/<int:pk>/", accounts_api.AccountDetail.as_view(), name="api_account"),
    path("accounts/<int:pk>/resend/", accounts_api.AccountResend.as_view(), name="api_account_resend"),
    path("accounts/<int:pk>/revoke/", accounts_api.AccountRevoke.as_view(), name="api_account_revoke"),
    path("accounts/<int:pk>/deactivate/", accounts_api.AccountDeactivate.as_view(), name="api_account_deactivate"),
    path("roles/", accounts_api.RoleList.as_view(), name="api_roles"),
    path("roles/<int:pk>/withdraw/", accounts_api.RoleWithdraw.as_view(), name="api_role_withdraw"),
    path("units/", units_api.UnitList.as_view(), name="api_units"),
    path("units/<int:pk>/", units_api.UnitDetail.as_view(), name="api_unit"),
    path("units/<int:pk>/close/", units_api.UnitClose.as_view(), name="api_unit_close"),
    path("members/", members_api.MemberList.as_view(), name="api_members"),
    path("members/<int:pk>/", members_api.MemberDetail.as_view(), name="api_member"),
    path("members/<int:pk>/timeline/", members_api.MemberTimeline.as_view(), name="api_member_timeline"),
    path("members/<int:pk>/invite/", members_api.MemberInvite.as_view(), name="api_member_invite"),
    path("units/<int:pk>/invite-members/", members_api.UnitInviteMembers.as_view(), name="api_unit_invite_members"),
    path("members/<int:pk>/status/", members_api.MemberStatusChange.as_view(), name="api_member_status"),
    path("units/<int:pk>/posts/", members_api.UnitPosts.as_view(), name="api_unit_posts"),
    path("posts/<int:pk>/end/", members_api.PostEnd.as_view(), name="api_post_end"),
    path("imports/", bulk_api.ImportList.as_view(), name="api_imports"),
    path("imports/<int:pk>/", bulk_api.ImportDetail.as_view(), name="api_import"),
    path("imports/<int:pk>/run/", bulk_api.ImportRun.as_view(), name="api_import_run"),
    path("imports/<int:pk>/cancel/", bulk_api.ImportCancel.as_view(), name="api_import_cancel"),
    path("deadlines/", deadlines_api.DeadlineList.as_view(), name="api_deadlines"),
    path("deadlines/<int:pk>/waive/", deadlines_api.DeadlineWaive.as_view(), name="api_deadline_waive"),
    path("deadlines/<int:pk>/explain/", deadlines_api.DeadlineExplain.as_view(), name="api_deadline_explain"),
    path("me/notifications/", notifications_api.MyNotifications.as_view(), name="api_my_notifications"),
    path("me/notifications/read/", notifications_api.MyNotificationsRead.as_view(), name="api_my_notifications_read"),
    path("me/feed/", deadlines_api.MyFeed.as_view(), name="api_my_feed"),
    path("deadlines/<int:pk>/", deadlines_api.DeadlineDetail.as_view(), name="api_deadline"),
    path("meetings/", meetings_api.MeetingList.as_view(), name="api_meetings"),
    path("meetings/<int:pk>/", meetings_api.MeetingDetail.as_view(), name="api_meeting"),
    path("meetings/<int:pk>/actions/", meetings_api.MeetingActions.as_view(), name="api_meeting_actions"),
    path("units/<int:pk>/meeting-settings/", meetings_api.UnitMeetingSettings.as_view(),
         name="api_unit_meeting_settings"),
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
    path("admission/cases/<int:pk>/invite/", admission_api.CaseInviteApplicant.as_view(),
         name="api_admission_invite"),
    path("calendar/days/", rules_api.CalendarDays.as_view(), name="api_calendar_days"),
    path("calendar/days/remove/", rules_api.CalendarDayRemove.as_view(), name="api_calendar_day_remove"),
    path("rules/", rules_api.RuleList.as_view(), name="api_rules"),
    path("rules/<str:key>/", rules_api.RuleDetail.as_view(), name="api_rule"),
]
