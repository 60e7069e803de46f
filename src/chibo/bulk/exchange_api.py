"""The exchange format through the API: the caller's units and members as an exchange document, the import of a
document into an empty install, the reconciliation with a national extract. The same functions as the pages."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from chibo.bulk import exchange
from chibo.bulk.exchange_forms import ExchangeFileForm
from chibo.core.access import actor_for


def _text(**kwargs) -> serializers.CharField:
    return serializers.CharField(allow_blank=True, **kwargs)


def _nullable(**kwargs) -> serializers.CharField:
    return serializers.CharField(allow_blank=True, allow_null=True, **kwargs)


class ExchangeUnitSerializer(serializers.Serializer):
    code = serializers.CharField()
    national_code = _nullable(help_text="The official national code (null until known)")
    name = serializers.CharField()
    kind = serializers.CharField()
    parent = _nullable(help_text="The parent's code (null for the top unit)")  # type: ignore[assignment]  # DRF's metaclass takes declared fields off the class
    country = _text()
    city = _text()
    mission_kind = _text()
    mission_name = _text()
    abbreviation = _text()
    opened_on = serializers.CharField(help_text="YYYY-MM-DD")
    opened_by_doc = _text()


class ExchangeMemberSerializer(serializers.Serializer):
    card_number = _nullable(help_text="The party card number (null until issued)")
    dossier_number = _nullable()
    citizen_id = _text(required=False, help_text="Only where the caller may edit the member's record")
    full_name = serializers.CharField()
    gender = serializers.CharField()
    birth_date = serializers.CharField(help_text="YYYY-MM-DD")
    home_town = _text()
    ethnicity = _text()
    education = _text()
    political_theory = _text()
    job_title = _text()
    workplace = _text()
    admission_decided_on = _nullable()
    admission_date = serializers.CharField()
    confirmation_date = _nullable()
    status = serializers.CharField()
    status_since = _nullable(help_text="YYYY-MM-DD: the day an exempt or suspended status took effect (else null)")
    status_document = _nullable(help_text="The decision that gave an exempt or suspended status (else null)")
    category = serializers.CharField()
    abroad_from = _nullable()
    abroad_to = _nullable()
    unit = serializers.CharField(help_text="The code of the member's unit")


class ExchangeDocumentSerializer(serializers.Serializer):
    format = serializers.CharField(help_text=f"Always {exchange.FORMAT!r}")
    version = serializers.IntegerField(help_text=f"The format version ({exchange.VERSION})")
    exported_on = serializers.CharField(help_text="YYYY-MM-DD")
    root = _text(help_text="The code of the top unit of the file")  # type: ignore[assignment]  # as ``parent`` above
    units = ExchangeUnitSerializer(many=True)
    members = ExchangeMemberSerializer(many=True)


class ExchangeUpload(serializers.Serializer):
    file = serializers.FileField(help_text="An exchange file (.json or .xlsx)")


class ExchangeImported(serializers.Serializer):
    units = serializers.IntegerField(help_text="Units in the file (the top unit included)")
    members = serializers.IntegerField()


class ExchangeEntrySerializer(serializers.Serializer):
    key = _text(help_text="National code of a unit, party card number of a member")
    name = serializers.CharField()


class ExchangeDifferenceSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    field = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # as ``parent`` above
    here = _text()
    there = _text()


class ReconciliationSerializer(serializers.Serializer):
    identical = serializers.BooleanField()
    units_here_only = ExchangeEntrySerializer(many=True)
    units_there_only = ExchangeEntrySerializer(many=True)
    units_different = ExchangeDifferenceSerializer(many=True)
    members_here_only = ExchangeEntrySerializer(many=True)
    members_there_only = ExchangeEntrySerializer(many=True)
    members_different = ExchangeDifferenceSerializer(many=True)
    units_without_code = ExchangeEntrySerializer(many=True)
    members_without_card = ExchangeEntrySerializer(many=True)


def _upload(request) -> bytes:
    form = ExchangeFileForm(request.POST, request.FILES)
    if not form.is_valid():
        raise serializers.ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
    return form.raw()


class ExchangeExport(generics.GenericAPIView):
    """The caller's open units and the members on their rolls as an exchange document (organization officers)."""

    serializer_class = ExchangeDocumentSerializer

    def get(self, request):
        actor = actor_for(request)
        data = exchange.exchange_data(actor)
        exchange.audit_export(actor, data, "api")
        return Response(data)


class ExchangeImport(generics.GenericAPIView):
    """POST an exchange file into an install holding only its top unit: all its units and members, or nothing."""

    serializer_class = ExchangeImported
    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": ExchangeUpload}, responses={201: ExchangeImported})
    def post(self, request):
        actor = actor_for(request)
        exchange.require_officer(actor)
        counts = exchange.exchange_import(actor=actor, data=exchange.read_exchange(_upload(request)))
        return Response(counts, status=201)


class ExchangeReconcile(generics.GenericAPIView):
    """POST a national extract in the exchange format: what differs from the caller's records. Nothing is written
    but the audit row of the read."""

    serializer_class = ReconciliationSerializer
    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": ExchangeUpload}, responses={200: ReconciliationSerializer})
    def post(self, request):
        actor = actor_for(request)
        exchange.require_officer(actor)
        report = exchange.reconcile(actor, exchange.read_exchange(_upload(request)))
        return Response(ReconciliationSerializer(report).data)
