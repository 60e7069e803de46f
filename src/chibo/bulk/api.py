"""Member import and export through the API: upload a spreadsheet (a dry run first), read what it would do, import
for real or cancel (the same jobs as the import page; a job belongs to the user who uploaded it); export the member
list as filtered, as XLSX or CSV."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from chibo.bulk import exports, jobs
from chibo.bulk.forms import ImportForm, RunForm
from chibo.bulk.models import ImportJob
from chibo.core.access import actor_for
from chibo.core.documents import download
from chibo.core.lifecycle_api import RefusalSerializer, form_cleaned, form_serializer
from chibo.members.api import SEARCH_PARAMS, filters_from_query


class ImportJobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    file_name = serializers.CharField()
    unit = serializers.IntegerField(source="unit_id", allow_null=True)
    mode = serializers.CharField()
    state = serializers.CharField(help_text="queued / running / done / failed / cancelled")
    phase = serializers.CharField(help_text="While running: \"\" (waiting for the worker), reading, writing, "
                                            "undoing (a failed or interrupted run being undone), written")
    dry_run = serializers.SerializerMethodField()
    done = serializers.IntegerField(help_text="Rows handled so far")
    total = serializers.IntegerField()
    counts = serializers.SerializerMethodField(help_text="rows, new, update, unchanged, error")
    message = serializers.CharField()

    def get_dry_run(self, job: ImportJob) -> bool:
        return bool((job.counts or {}).get("dry_run"))

    def get_counts(self, job: ImportJob) -> dict[str, int]:
        return {k: v for k, v in (job.counts or {}).items()
                if k in ("rows", "new", "update", "unchanged", "error") and isinstance(v, int)}


class ImportUpload(serializers.Serializer):
    file = serializers.FileField(help_text="The spreadsheet (.xlsx, .xls, .ods, .csv)")
    unit = serializers.IntegerField(required=False, help_text="Unit id for rows without a unit code")
    mode = serializers.ChoiceField(choices=["all", "valid"], required=False,
                                   help_text="all: nothing is written if any row has an error; valid: the valid rows")


RunInput = form_serializer(RunForm, "ImportRunInput", "Import for real, in this mode.")


def _editor(request):
    """Who may import: 404 for those who do not see members at all, 403 for those who only read them."""
    actor = actor_for(request)
    if not actor.can("members.view"):
        raise Http404
    if not actor.can("members.edit"):
        raise PermissionDenied
    return actor


def _own_job(request, pk) -> ImportJob:
    if not actor_for(request).can("members.edit"):
        raise Http404
    return get_object_or_404(ImportJob.objects.select_related("unit"), pk=pk, user=request.user)


class ImportList(generics.GenericAPIView):
    """POST a spreadsheet: a dry run (nothing written) whose counts and row report say what the import would do."""

    serializer_class = ImportJobSerializer
    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": ImportUpload}, responses={201: ImportJobSerializer})
    def post(self, request):
        actor = _editor(request)
        # The form fields only: request.data also holds the files, and a deep copy of a spooled upload (over
        # FILE_UPLOAD_MAX_MEMORY_SIZE, 2 MB) fails (found by tests/deploy/test_nginx.py with a 50 MB upload).
        data = request.POST.copy()
        data.setdefault("mode", "all")
        form = ImportForm(data, request.FILES, actor=actor)
        if not form.is_valid():
            raise serializers.ValidationError({k: list(v) for k, v in form.errors.items()})
        job = jobs.job_create(actor=actor, upload=form.cleaned_data["file"], unit=form.cleaned_data["unit"],
                              mode=form.cleaned_data["mode"])
        job = jobs.job_submit(job, size=form.cleaned_data["file"].size, dry_run=True)
        return Response(ImportJobSerializer(job).data, status=201)


class ImportDetail(generics.GenericAPIView):
    """One of the caller's imports, with its progress while it runs."""

    serializer_class = ImportJobSerializer

    def get(self, request, pk):
        return Response(ImportJobSerializer(jobs.job_progress(_own_job(request, pk))).data)


class ImportRun(generics.GenericAPIView):
    """Import for real the rows whose dry run the caller has read (400 before the dry run has finished)."""

    serializer_class = ImportJobSerializer

    @extend_schema(request=RunInput, responses={200: ImportJobSerializer})
    def post(self, request, pk):
        job = _own_job(request, pk)
        return Response(ImportJobSerializer(jobs.job_import(job, **form_cleaned(RunForm, request))).data)


class ImportCancel(generics.GenericAPIView):
    """Stop a running import: nothing it wrote is kept."""

    serializer_class = ImportJobSerializer

    @extend_schema(request=None, responses={200: ImportJobSerializer, 409: RefusalSerializer})
    def post(self, request, pk):
        job = _own_job(request, pk)
        if job.finished:
            return Response({"detail": _("Việc nhập đã kết thúc; không còn gì để dừng."), "state": job.state},
                            status=409)
        jobs.job_cancel(job)
        return Response(ImportJobSerializer(jobs.job_progress(job)).data)


class MemberExport(generics.GenericAPIView):
    """The member list as the list operation filters it (same query), every row, streamed as an XLSX workbook or a
    CSV file (UTF-8 with a byte-order mark); the export is audited with its filters."""

    query_params = ("category", "country", "file_format", "q", "solitary", "sort", "status", "unit")

    @extend_schema(
        parameters=[OpenApiParameter("file_format", str, enum=list(exports.FORMATS), default="xlsx"), *SEARCH_PARAMS],
        responses={(200, exports.FORMATS["xlsx"][0]): OpenApiTypes.BINARY,
                   (200, exports.FORMATS["csv"][0]): OpenApiTypes.BINARY,
                   400: OpenApiResponse(description="A filter or the format refused, field by field")})
    def get(self, request):
        actor = actor_for(request)
        if not actor.can("members.view"):
            raise Http404
        fmt = request.query_params.get("file_format", "xlsx")
        if fmt not in exports.FORMATS:
            raise serializers.ValidationError({"file_format": [_("Chọn định dạng: %(choices)s.")
                                                          % {"choices": ", ".join(exports.FORMATS)}]})
        filters = filters_from_query(actor, request.query_params)
        content_type, filename = exports.FORMATS[fmt]
        return download(actor=actor, content=exports.stream_member_list(actor, filters, fmt), filename=filename,
                        content_type=content_type, action=None, stream=True)  # the export audits itself
