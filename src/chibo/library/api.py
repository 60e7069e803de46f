"""Library API: the documents addressed to the caller (unread first, ``?q=`` without diacritics), those sent in the
caller's scope, sending one and adding a version (multipart), the files (the same audited download as the pages; 404
outside the caller's scope, the attempt audited), who has read a document (shares per unit; names only to a unit
addressed), and the register of classified documents: registering (a file refused unless the install is an isolated
LAN), hand-overs, the receiver's acknowledgement, destruction. The same forms and services as the pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from chibo.core.access import actor_for
from chibo.library import selectors, services, views
from chibo.library.enums import Level
from chibo.library.forms import ClassifiedForm, DestroyForm, DocumentForm, HandoverForm, VersionForm, own_units
from chibo.library.models import ClassifiedEntry, Document, DocumentFile, Handover


def _form(form_class, request, **kwargs):
    form = form_class(request.data, request.FILES, **kwargs)
    if not form.is_valid():
        raise ValidationError({k: list(v) for k, v in form.errors.items()})
    return form


class FileSerializer(serializers.ModelSerializer):
    class Meta:
        model = DocumentFile
        fields = ["id", "number", "filename", "content_type", "size", "note", "uploaded_at"]
        read_only_fields = fields


class DocumentSerializer(serializers.ModelSerializer):
    is_read = serializers.BooleanField(read_only=True, default=False)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    roles = serializers.ListField(source="role_list", child=serializers.CharField(), read_only=True)

    class Meta:
        model = Document
        fields = ["id", "unit", "unit_name", "number", "issued_on", "issuer", "kind", "title", "summary",
                  "to_everyone", "roles", "read_by", "sent_at", "version", "is_read"]
        read_only_fields = fields


class ReadingSerializer(serializers.Serializer):
    unit_id = serializers.IntegerField()
    name = serializers.CharField()
    read = serializers.IntegerField()
    total = serializers.IntegerField()
    names_shown = serializers.BooleanField()
    not_read = serializers.ListField(child=serializers.CharField())


class DocumentDetailSerializer(DocumentSerializer):
    files = FileSerializer(many=True, read_only=True, source="files_list")
    targets = serializers.ListField(child=serializers.IntegerField(), read_only=True, source="target_ids")

    class Meta(DocumentSerializer.Meta):
        fields = [*DocumentSerializer.Meta.fields, "files", "targets"]
        read_only_fields = fields


def _detail(doc: Document) -> dict:
    doc.files_list = list(selectors.files_of(doc))  # type: ignore[attr-defined]
    doc.target_ids = list(doc.targets.values_list("unit_id", flat=True))  # type: ignore[attr-defined]
    return DocumentDetailSerializer(doc).data


class DocumentSendSerializer(serializers.Serializer):
    unit = serializers.IntegerField(help_text="The sending unit (where the caller holds library.send)")
    number = serializers.CharField()
    issued_on = serializers.DateField()
    issuer = serializers.CharField()
    kind = serializers.CharField()
    title = serializers.CharField()
    summary = serializers.CharField(required=False)
    file = serializers.FileField(help_text="PDF, DOCX, ODT or DOC, at most 20 MB, checked by content")
    targets = serializers.ListField(child=serializers.IntegerField(), required=False, help_text="Unit ids")
    roles = serializers.ListField(child=serializers.CharField(), required=False)
    to_everyone = serializers.BooleanField(required=False)
    read_by = serializers.DateField(required=False)


class VersionSerializer(serializers.Serializer):
    file = serializers.FileField()
    note = serializers.CharField(required=False)


Q_PARAM = OpenApiParameter("q", str, description="Part of the title or the number (diacritics optional)")


class DocumentList(generics.ListAPIView):
    """The documents addressed to the caller, unread first (``?q=``: title or number, without diacritics); POST
    (multipart) sends one."""

    serializer_class = DocumentSerializer
    parser_classes = [MultiPartParser]
    query_params = ("q",)

    def get_queryset(self):
        docs = selectors.documents_for_me(actor_for(self.request))
        return selectors.search(docs, self.request.query_params.get("q", "")[:100])

    @extend_schema(parameters=[Q_PARAM])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request={"multipart/form-data": DocumentSendSerializer}, responses={201: DocumentDetailSerializer})
    def post(self, request, *args, **kwargs):
        actor = actor_for(request)
        if not actor.units_holding("library.send"):
            raise PermissionDenied
        form = _form(DocumentForm, request, actor=actor)
        doc = services.document_send(actor=actor, **{k: v for k, v in form.cleaned_data.items() if k != "file"},
                                     **views._file_args(form))
        return Response(_detail(selectors.document_get(actor, doc.pk)), status=201)


class SentList(generics.ListAPIView):
    """The documents sent by the units in the caller's ``library.view`` / ``library.send`` scope."""

    serializer_class = DocumentSerializer
    query_params = ("q",)

    def get_queryset(self):
        actor = actor_for(self.request)
        return selectors.search(selectors.documents_sent(actor), self.request.query_params.get("q", "")[:100])

    @extend_schema(parameters=[Q_PARAM])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class DocumentDetail(generics.GenericAPIView):
    """A document (reading it records "đã đọc" for a member it is addressed to)."""

    serializer_class = DocumentDetailSerializer

    def get(self, request, pk):
        actor = actor_for(request)
        doc = selectors.document_get(actor, pk)
        services.document_mark_read(actor=actor, document=doc)
        return Response(_detail(selectors.document_get(actor, pk)))


class DocumentVersions(generics.GenericAPIView):
    """Add a version of the file (multipart; the sending level)."""

    serializer_class = FileSerializer
    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": VersionSerializer}, responses={201: FileSerializer})
    def post(self, request, pk):
        actor = actor_for(request)
        doc = selectors.document_get(actor, pk)
        if not selectors.may_send(actor, doc):
            raise PermissionDenied
        form = _form(VersionForm, request)
        version = services.document_add_version(actor=actor, document=doc, note=form.cleaned_data["note"],
                                                **views._file_args(form))
        return Response(FileSerializer(version).data, status=201)


class DocumentReadings(generics.GenericAPIView):
    """Per unit of the audience in the caller's scope: how many have read; names of those who have not only for a
    unit addressed (never to the sending level, never a ranking)."""

    serializer_class = ReadingSerializer

    def get(self, request, pk):
        actor = actor_for(request)
        doc = selectors.document_get(actor, pk)
        return Response(ReadingSerializer(selectors.readings(actor, doc), many=True).data)


@extend_schema(responses={(200, "application/octet-stream"): bytes})
class DocumentFileView(generics.GenericAPIView):
    """The latest version's file (audited)."""

    def get(self, request, pk):
        actor = actor_for(request)
        return views._file_response(actor, selectors.latest_file(selectors.document_get(actor, pk)))


@extend_schema(responses={(200, "application/octet-stream"): bytes})
class FileView(generics.GenericAPIView):
    """A version's file by its own id (audited; 404 outside the caller's scope, the attempt audited)."""

    def get(self, request, pk):
        actor = actor_for(request)
        return views._file_response(actor, selectors.file_get(actor, pk))


# --- classified documents -----------------------------------------------------------------------------------------
class HandoverSerializer(serializers.ModelSerializer):
    class Meta:
        model = Handover
        fields = ["id", "from_member", "to_member", "handed_on", "copies", "acknowledged_at"]
        read_only_fields = fields


class ClassifiedEntrySerializer(serializers.ModelSerializer):
    has_file = serializers.SerializerMethodField()

    class Meta:
        model = ClassifiedEntry
        fields = ["id", "unit", "number", "issued_on", "issuer", "level", "copies", "custodian", "received_on",
                  "protected_until", "destroyed_on", "destruction_record", "version", "has_file"]
        read_only_fields = fields

    def get_has_file(self, obj) -> bool:
        return bool(obj.filename)


class ClassifiedEntryDetailSerializer(ClassifiedEntrySerializer):
    handovers = HandoverSerializer(many=True, read_only=True, source="handover_list")

    class Meta(ClassifiedEntrySerializer.Meta):
        fields = [*ClassifiedEntrySerializer.Meta.fields, "handovers"]
        read_only_fields = fields


def _entry(entry) -> dict:
    entry.handover_list = list(selectors.handovers_of(entry))
    return ClassifiedEntryDetailSerializer(entry).data


class ClassifiedEntryCreateSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    number = serializers.CharField()
    issued_on = serializers.DateField()
    issuer = serializers.CharField()
    level = serializers.ChoiceField(choices=Level.choices)
    copies = serializers.IntegerField()
    custodian = serializers.IntegerField(help_text="A member (id) of the unit")
    received_on = serializers.DateField(required=False)
    protected_until = serializers.DateField()
    file = serializers.FileField(required=False, help_text="Refused unless the install is an isolated LAN")


class HandoverCreateSerializer(serializers.Serializer):
    to_member = serializers.IntegerField()
    handed_on = serializers.DateField(required=False)
    copies = serializers.IntegerField()


class DestroySerializer(serializers.Serializer):
    destroyed_on = serializers.DateField(required=False)
    record = serializers.CharField()


class EntryList(generics.ListAPIView):
    """The register entries the caller may see; POST registers one (JSON, or multipart with a file: refused unless
    the install is an isolated LAN)."""

    serializer_class = ClassifiedEntrySerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.entries_visible(actor_for(self.request))

    @extend_schema(request=ClassifiedEntryCreateSerializer, responses={201: ClassifiedEntryDetailSerializer})
    def post(self, request, *args, **kwargs):
        actor = actor_for(request)
        if not own_units(actor, "library.secret"):
            raise PermissionDenied
        form = _form(ClassifiedForm, request, actor=actor)
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("file", "custodian")}
        entry = services.classified_register(actor=actor, custodian=views._member(form.cleaned_data["custodian"]),
                                             **data, **views._file_args(form))
        return Response(_entry(entry), status=201)


class EntryDetail(generics.GenericAPIView):
    serializer_class = ClassifiedEntryDetailSerializer

    def get(self, request, pk):
        return Response(_entry(selectors.entry_get(actor_for(request), pk)))


class EntryHandovers(generics.GenericAPIView):
    """Record a hand-over to another member of the unit (``library.secret`` on the unit)."""

    serializer_class = HandoverSerializer

    @extend_schema(request=HandoverCreateSerializer, responses={201: HandoverSerializer})
    def post(self, request, pk):
        actor = actor_for(request)
        entry = selectors.entry_get(actor, pk)
        if not actor.can("library.secret", entry.unit):
            raise PermissionDenied
        form = _form(HandoverForm, request)
        handover = services.classified_hand_over(actor=actor, entry=entry,
                                                 to_member=views._member(form.cleaned_data["to_member"]),
                                                 handed_on=form.cleaned_data["handed_on"],
                                                 copies=form.cleaned_data["copies"])
        return Response(HandoverSerializer(handover).data, status=201)


class HandoverAcknowledge(generics.GenericAPIView):
    """The receiver acknowledges the hand-over (and becomes the custodian)."""

    serializer_class = HandoverSerializer

    @extend_schema(request=None, responses={200: HandoverSerializer})
    def post(self, request, pk):
        actor = actor_for(request)
        handover = services.handover_acknowledge(actor=actor, handover=selectors.handover_get(actor, pk))
        return Response(HandoverSerializer(handover).data)


class EntryDestroy(generics.GenericAPIView):
    """Record the destruction (``library.secret`` on the unit)."""

    serializer_class = ClassifiedEntryDetailSerializer

    @extend_schema(request=DestroySerializer, responses={200: ClassifiedEntryDetailSerializer})
    def post(self, request, pk):
        actor = actor_for(request)
        entry = selectors.entry_get(actor, pk)
        if not actor.can("library.secret", entry.unit):
            raise PermissionDenied
        form = _form(DestroyForm, request)
        return Response(_entry(services.classified_destroy(actor=actor, entry=entry, **form.cleaned_data)))
