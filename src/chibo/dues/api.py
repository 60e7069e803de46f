"""Dues API: a member's position (what they owe, paid, paid through; their receipts), for the member themself
and for staff with dues.view on the member's unit. Amounts are decimal strings in the currency's minor unit."""

from __future__ import annotations

from rest_framework import generics, serializers
from rest_framework.response import Response

from chibo.core.access import actor_for
from chibo.dues import selectors
from chibo.dues.enums import EntryKind, Method


class AmountSerializer(serializers.Serializer):
    currency = serializers.CharField(help_text="ISO 4217")
    amount = serializers.DecimalField(max_digits=16, decimal_places=3, coerce_to_string=True)


class MonthSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="mm/yyyy")
    amount = serializers.DecimalField(max_digits=16, decimal_places=3)
    currency = serializers.CharField()
    basis = serializers.CharField()
    paid = serializers.DecimalField(max_digits=16, decimal_places=3, help_text="how much of it payments cover")
    covered = serializers.BooleanField()
    deferred = serializers.BooleanField()
    projected = serializers.BooleanField(help_text="a coming month covered by a prepayment")


class EntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=EntryKind.choices)
    receipt = serializers.CharField(help_text="number/year; empty for a reversal")
    amount = serializers.DecimalField(max_digits=16, decimal_places=3)
    currency = serializers.CharField()
    method = serializers.ChoiceField(choices=Method.choices)
    paid_on = serializers.DateField()
    reverses = serializers.IntegerField(allow_null=True, source="reverses_id")
    reversed = serializers.BooleanField()


class PositionSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    member_name = serializers.CharField()
    currency = serializers.CharField(allow_null=True, help_text="of the profile in force; null: no profile yet")
    paid_through = serializers.CharField(allow_null=True, help_text="mm/yyyy")
    arrears = AmountSerializer(many=True)
    credit = AmountSerializer(many=True)
    unpaid_months = serializers.ListField(child=serializers.CharField(), help_text="this year's months over and unpaid")
    months = MonthSerializer(many=True)
    entries = EntrySerializer(many=True)


def _amounts(values: dict) -> list[dict]:
    return [{"currency": c, "amount": a} for c, a in sorted(values.items())]


class DuesMember(generics.GenericAPIView):
    """A member's dues: the position, the last 24 months and every ledger entry (newest first)."""

    serializer_class = PositionSerializer

    def get(self, request, pk):
        member = selectors.member_for_dues(actor_for(request), pk)
        position = selectors.member_position(member)
        entries = list(selectors.entries_of(member))
        reversed_ids = selectors.reversed_ids(entries)
        lines = (position.lines + position.projected)[-24:]
        data = {
            "member": member.pk, "member_name": member.full_name, "currency": position.currency,
            "paid_through": f"{position.paid_through:%m/%Y}" if position.paid_through else None,
            "arrears": _amounts(position.arrears), "credit": _amounts(position.credit),
            "unpaid_months": [f"{m:%m/%Y}" for m in position.unpaid_months(position.today.year)],
            "months": [{"month": f"{x.month:%m/%Y}", "amount": x.amount, "currency": x.currency, "basis": x.basis,
                        "paid": x.paid, "covered": x.covered, "deferred": x.deferred, "projected": x.projected}
                       for x in reversed(lines)],
            "entries": [{"id": e.pk, "kind": e.kind, "receipt": e.receipt, "amount": e.amount, "currency": e.currency,
                         "method": e.method, "paid_on": e.paid_on, "reverses_id": e.reverses_id,
                         "reversed": e.pk in reversed_ids} for e in entries],
        }
        return Response(PositionSerializer(data).data)
