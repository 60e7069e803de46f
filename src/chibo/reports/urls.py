from django.urls import path

from chibo.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("open/", views.open_report, name="open"),
    path("<int:pk>/", views.report, name="report"),
    path("<int:pk>/act/", views.report_act, name="act"),
    path("<int:pk>/paper.pdf", views.paper, {"fmt": "pdf"}, name="paper_pdf"),
    path("<int:pk>/paper.docx", views.paper, {"fmt": "docx"}, name="paper_docx"),
    path("templates/", views.templates, name="templates"),
    path("templates/<int:pk>/", views.template, name="template"),
    path("board/", views.board, name="board"),
    path("board/remind/", views.remind, name="remind"),
    path("rollup/", views.rollup, name="rollup"),
]
