"""Targets, payloads and the fingerprint of the library routes for the permission matrix test
(src/chibo/core/tests/test_permission_matrix.py imports these)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Sum
from django.utils import timezone

PDF = b"%PDF-1.4\n% a small file for the matrix\n%%EOF\n"


def library_targets(personas, members, units) -> dict[str, int]:
    """A resolution the upper committee sent to France (its cells included), a document Germany's committee sent
    to its cell; France's register with one entry kept by France's secretary and handed over to dangvien.phap (not yet
    acknowledged), and one entry of Germany's register."""
    from chibo.core.access import actor_from_user
    from chibo.library import services
    from chibo.library.models import ClassifiedEntry, Document, DocumentFile, Handover

    today = timezone.localdate()
    officer, phap, duc = (actor_from_user(personas[u]) for u in ("ban.tochuc", "bithu.phap", "bithu.duc"))

    def send(actor, unit, target, number):
        return services.document_send(actor=actor, unit=unit, number=number, issued_on=today, issuer="Đảng ủy",
                                      kind="resolution", title=f"Nghị quyết {number}", filename="nq.pdf", data=PDF,
                                      targets=[target])

    doc_fr = send(officer, units["unit_root"], units["unit_fr"], "57-NQ/ĐU")
    doc_de = send(duc, units["unit_de"], units["unit_de_cell"], "3-NQ/ĐU")

    def register(actor, unit, custodian, number):
        return services.classified_register(actor=actor, unit=unit, number=number, issued_on=today, issuer="VPTW",
                                            level="mat", copies=1, custodian=custodian, received_on=today,
                                            protected_until=today + timedelta(days=3650))

    entry_fr = register(phap, units["unit_fr"], members["member_phap"], "1-M")
    entry_de = register(duc, units["unit_de"], members["member_de"], "2-M")
    handover = services.classified_hand_over(actor=phap, entry=entry_fr, to_member=members["member_own"],
                                             handed_on=today, copies=1)

    def missing(model) -> int:
        return (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000

    return {"doc_fr": doc_fr.pk, "doc_de": doc_de.pk, "file_fr": doc_fr.files.get().pk,
            "file_de": doc_de.files.get().pk, "classified_fr": entry_fr.pk, "classified_de": entry_de.pk,
            "handover_fr": handover.pk, "doc_missing": missing(Document), "file_missing": missing(DocumentFile),
            "classified_missing": missing(ClassifiedEntry), "handover_missing": missing(Handover)}


def library_payload(kind: str, target, env):
    today = timezone.localdate()
    if kind == "library_api_classified":  # France's register: its secretary only
        return {"unit": env.targets["unit_fr"], "number": "9-M", "issued_on": today.isoformat(), "issuer": "VPTW",
                "level": "toi_mat", "copies": 1, "custodian": env.targets["member_phap"],
                "received_on": today.isoformat(), "protected_until": (today + timedelta(days=365)).isoformat()}
    raise KeyError(kind)


def library_fingerprint() -> dict:
    from chibo.library.models import ClassifiedEntry, Document, DocumentFile, Handover, Receipt

    return {
        "library_documents": Document.objects.aggregate(n=Count("pk"), versions=Sum("version")),
        "library_files": DocumentFile.objects.count(),
        "library_receipts": Receipt.objects.count(),
        "library_entries": ClassifiedEntry.objects.aggregate(n=Count("pk"), versions=Sum("version"),
                                                             destroyed=Count("destroyed_on")),
        "library_handovers": Handover.objects.aggregate(n=Count("pk"), acknowledged=Count("acknowledged_at")),
    }
