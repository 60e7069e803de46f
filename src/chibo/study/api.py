"""Study API: the same actions as the pages (plan a session, record its attendance, write one's reflection, record
or delete a course certificate), through the same forms and services. Reads are scoped like the pages: 404 outside
the caller's scope; a reflection only for its author and the cell's committee."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.response import Response

from chibo.core.access import actor_for
from chibo.core.lifecycle_api import form_cleaned, form_serializer
from chibo.members.selectors import member_get
from chibo.study import selectors, services
from chibo.study.forms import AttendanceRowForm, CertificateForm, ReflectionForm, SessionForm
from chibo.study.models import Certificate, Reflection, Session
from chibo.units.selectors import unit_get

CertificateBody = form_serializer(CertificateForm, "StudyCertificateRecord",
                                  "Record a course certificate of a member (member) or an applicant (applicant)")
# The form's documents are ids checked by the service (the page lists the choices of one cell): a list of ids here.
SessionBody = type("StudySessionPlan", (form_serializer(SessionForm, "StudySessionPlanForm"),), {
    "__doc__": "Plan a study session of a cell, with the library's documents its members will study (ids)",
    "documents": serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False,
        help_text="Ids of library documents sent to the cell (or to everyone from a level above it)")})
ReflectionBody = form_serializer(ReflectionForm, "StudyReflectionWrite", "Write one's own reflection")
AttendanceRow = form_serializer(AttendanceRowForm, "StudyAttendanceRow", "One member's attendance")


class AttendanceBody(serializers.Serializer):
    rows = AttendanceRow(many=True)


class StudyCertificateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Certificate
        fields = ["id", "member", "applicant", "kind", "title", "number", "issuer", "issued_on"]
        read_only_fields = fields


class StudySessionSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    materials = serializers.ListField(source="material_lines", child=serializers.CharField(), read_only=True)

    class Meta:
        model = Session
        fields = ["id", "unit", "unit_name", "meeting", "topic", "documents", "materials", "held_on",
                  "attendance_recorded"]
        read_only_fields = fields


class StudyAttendanceSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    member_name = serializers.CharField()
    presence = serializers.CharField(allow_null=True)
    reason = serializers.CharField(allow_null=True)


class StudySessionDocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    is_read = serializers.BooleanField(help_text="Whether the caller has opened it in the library")
    url = serializers.CharField(help_text="Its library page (opening it there records the read)")


class StudySessionDetailSerializer(StudySessionSerializer):
    library_documents = serializers.SerializerMethodField()
    attendance = serializers.SerializerMethodField()
    reflections = serializers.SerializerMethodField()

    class Meta(StudySessionSerializer.Meta):
        fields = StudySessionSerializer.Meta.fields + ["library_documents", "attendance", "reflections"]
        read_only_fields = fields

    @extend_schema_field(StudySessionDocumentSerializer(many=True))
    def get_library_documents(self, obj) -> list[dict]:
        """The session's library documents the caller may open (the others are not named)."""
        return [{"id": d.pk, "number": d.number, "title": d.title, "is_read": d.is_read,
                 "url": reverse("library:document", args=[d.pk])}
                for d in selectors.session_documents(self.context["actor"], obj).shown]

    @extend_schema_field(StudyAttendanceSerializer(many=True))
    def get_attendance(self, obj) -> list[dict]:
        actor = self.context["actor"]
        if not actor.can("meetings.view", obj.unit):
            return []
        manage = actor.can("meetings.manage", obj.unit)
        return [{"member": m.pk, "member_name": m.full_name, "presence": row.presence if row else None,
                 "reason": (row.reason if manage else None) if row else None}
                for m, row in selectors.session_roll(obj)]

    def get_reflections(self, obj) -> list[int]:
        """Ids of the reflections the caller may read (their own; all for the cell's committee)."""
        return list(selectors.reflections_readable(self.context["actor"], obj).values_list("pk", flat=True))


class StudyReflectionSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.full_name", read_only=True)

    class Meta:
        model = Reflection
        fields = ["id", "session", "member", "member_name", "text", "written_at"]
        read_only_fields = fields


class SessionList(generics.ListAPIView):
    """The study sessions the caller may see; POST plans one (``meetings.manage`` on the cell)."""

    serializer_class = StudySessionSerializer

    def get_queryset(self):
        return selectors.sessions_visible(actor_for(self.request))

    @extend_schema(request=SessionBody, responses={201: StudySessionSerializer})
    def post(self, request, *args, **kwargs):
        actor = actor_for(request)
        if not actor.can("meetings.manage"):
            raise PermissionDenied
        data = form_cleaned(SessionForm, request)
        session = services.session_plan(actor=actor, unit=unit_get(actor, data["unit"]), topic=data["topic"],
                                        held_on=data["held_on"], materials=data["materials"],
                                        meeting_id=data.get("meeting"), document_ids=data["documents"])
        return Response(StudySessionSerializer(session).data, status=201)


class SessionDetail(generics.GenericAPIView):
    serializer_class = StudySessionDetailSerializer

    def get(self, request, pk):
        actor = actor_for(request)
        return Response(StudySessionDetailSerializer(selectors.session_get(actor, pk), context={"actor": actor}).data)


class SessionAttendance(generics.GenericAPIView):
    """Record the attendance of a held session: ``{"rows": [{"member", "presence", "reason"}, …]}``."""

    serializer_class = StudySessionDetailSerializer

    @extend_schema(request=AttendanceBody, responses={200: StudySessionDetailSerializer})
    def post(self, request, pk):
        actor = actor_for(request)
        session = selectors.session_get(actor, pk)
        if not actor.can("meetings.manage", session.unit):
            raise PermissionDenied
        raw = request.data.get("rows") if hasattr(request.data, "get") else None
        if not isinstance(raw, list) or not raw or len(raw) > 500:
            raise serializers.ValidationError({"rows": [_("Cần danh sách điểm danh (rows).")]})
        rows = {}
        for item in raw:
            form = AttendanceRowForm(item if isinstance(item, dict) else {})
            if not form.is_valid():
                raise serializers.ValidationError({"rows": [form.errors.as_text()]})
            d = form.cleaned_data
            rows[d["member"]] = (d["presence"], d["reason"])
        services.attendance_record(actor=actor, session=session, rows=rows)
        session.refresh_from_db()
        return Response(StudySessionDetailSerializer(session, context={"actor": actor}).data)


class SessionReflection(generics.GenericAPIView):
    """GET: the caller's own reflection on the session (404 when none); POST writes or rewrites it."""

    serializer_class = StudyReflectionSerializer

    def get(self, request, pk):
        actor = actor_for(request)
        session = selectors.session_get(actor, pk)
        own = selectors.own_reflection(actor, session)
        if own is None:
            raise Http404
        return Response(StudyReflectionSerializer(own).data)

    @extend_schema(request=ReflectionBody, responses={201: StudyReflectionSerializer})
    def post(self, request, pk):
        actor = actor_for(request)
        session = selectors.session_get(actor, pk)
        data = form_cleaned(ReflectionForm, request)
        reflection = services.reflection_write(actor=actor, session=session, text=data["text"])
        return Response(StudyReflectionSerializer(reflection).data, status=201)


class ReflectionDetail(generics.GenericAPIView):
    serializer_class = StudyReflectionSerializer

    def get(self, request, pk):
        return Response(StudyReflectionSerializer(selectors.reflection_get(actor_for(request), pk)).data)


class CertificateList(generics.ListAPIView):
    """Course certificates the caller may read (``?member=`` or ``?applicant=`` narrows to one person); POST
    records one (``members.edit`` on the member's unit, ``admission.edit`` on the applicant's cell)."""

    query_params = ("applicant", "member")

    serializer_class = StudyCertificateSerializer

    def get_queryset(self):
        qs = selectors.certificates_visible(actor_for(self.request))
        for name in ("member", "applicant"):
            raw = self.request.query_params.get(name, "")
            if raw:
                if not raw.isdigit() or len(raw) > 10:
                    raise serializers.ValidationError({name: [_("Mã phải là số.")]})
                qs = qs.filter(**{f"{name}_id": int(raw)})
        return qs

    @extend_schema(parameters=[OpenApiParameter("member", int), OpenApiParameter("applicant", int)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=CertificateBody, responses={201: StudyCertificateSerializer})
    def post(self, request, *args, **kwargs):
        actor = actor_for(request)
        if not (actor.can("members.edit") or actor.can("admission.edit")):
            raise PermissionDenied
        data = form_cleaned(CertificateForm, request)
        member = member_get(actor, data["member"]) if data.get("member") else None
        applicant = selectors.applicant_get(actor, data["applicant"]) if data.get("applicant") else None
        cert = services.certificate_record(actor=actor, member=member, applicant=applicant, kind=data["kind"],
                                           title=data["title"], issuer=data["issuer"], number=data["number"],
                                           issued_on=data["issued_on"])
        return Response(StudyCertificateSerializer(cert).data, status=201)


class CertificateDetail(generics.GenericAPIView):
    """One certificate (``…/delete/`` removes one recorded by mistake)."""

    serializer_class = StudyCertificateSerializer

    def get(self, request, pk):
        return Response(StudyCertificateSerializer(selectors.certificate_get(actor_for(request), pk)).data)


class CertificateDelete(generics.GenericAPIView):
    """Remove a certificate recorded by mistake (``members.edit`` on the member's unit, ``admission.edit`` on the
    applicant's cell; audited with what it said). Answers the deleted certificate as it was."""

    serializer_class = StudyCertificateSerializer

    @extend_schema(request=None, responses={200: StudyCertificateSerializer})
    def post(self, request, pk):
        actor = actor_for(request)
        cert = selectors.certificate_get(actor, pk)
        data = StudyCertificateSerializer(cert).data
        services.certificate_delete(actor=actor, certificate=cert)
        return Response(data)
