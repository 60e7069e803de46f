from django.urls import path

from chibo.transfers import views

app_name = "transfers"
urlpatterns = [
    path("", views.transfer_list, name="list"),
    path("me/", views.mine, name="mine"),
    path("organizations/", views.organizations, name="orgs"),
    path("<int:pk>/", views.transfer_detail, name="detail"),
    path("<int:pk>/act/", views.transfer_act, name="act"),
    path("member/<int:pk>/", views.member_page, name="member"),
    path("member/<int:pk>/new/", views.transfer_new, name="new"),
    path("member/<int:pk>/incoming/", views.transfer_incoming, name="incoming"),
    path("member/<int:pk>/review/", views.review_new, name="review_new"),
    path("member/<int:pk>/hold/", views.hold_new, name="hold_new"),
    path("hold/<int:pk>/close/", views.hold_close, name="hold_close"),
    path("review/<int:pk>/certify/", views.review_certify, name="review_certify"),
    path("letter/<int:pk>.pdf", views.letter_file, {"fmt": "pdf"}, name="letter_pdf"),
    path("letter/<int:pk>.docx", views.letter_file, {"fmt": "docx"}, name="letter_docx"),
    path("letter/<int:pk>/void/", views.letter_void, name="letter_void"),
    path("book/<int:pk>/", views.book, name="book"),
    path("rotation/<int:pk>/", views.rotation, name="rotation"),
    path("delegations/new/", views.delegation_new, name="delegation_new"),
    path("delegations/<int:pk>/close/", views.delegation_close, name="delegation_close"),
    path("member/<int:pk>/trip/", views.trip_new, name="trip_new"),
    path("member/<int:pk>/declaration/", views.declaration_new, name="declaration_new"),
    path("member/<int:pk>/exemption/", views.exemption_new, name="exemption_new"),
    path("trip/<int:pk>/", views.trip_detail, name="trip"),
    path("declaration/<int:pk>/", views.declaration_detail, name="declaration"),
]
