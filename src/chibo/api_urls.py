from django.urls import path

from chibo.members import api as members_api
from chibo.units import api as units_api

urlpatterns = [
    path("units/", units_api.UnitList.as_view(), name="api_units"),
    path("units/<int:pk>/", units_api.UnitDetail.as_view(), name="api_unit"),
    path("members/", members_api.MemberList.as_view(), name="api_members"),
    path("members/<int:pk>/", members_api.MemberDetail.as_view(), name="api_member"),
]
