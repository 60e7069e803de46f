from django.urls import path

from chibo.core import rules_api
from chibo.deadlines import api as deadlines_api
from chibo.members import api as members_api
from chibo.units import api as units_api

urlpatterns = [
    path("units/", units_api.UnitList.as_view(), name="api_units"),
    path("units/<int:pk>/", units_api.UnitDetail.as_view(), name="api_unit"),
    path("members/", members_api.MemberList.as_view(), name="api_members"),
    path("members/<int:pk>/", members_api.MemberDetail.as_view(), name="api_member"),
    path("deadlines/", deadlines_api.DeadlineList.as_view(), name="api_deadlines"),
    path("deadlines/<int:pk>/", deadlines_api.DeadlineDetail.as_view(), name="api_deadline"),
    path("rules/", rules_api.RuleList.as_view(), name="api_rules"),
    path("rules/<str:key>/", rules_api.RuleDetail.as_view(), name="api_rule"),
]
