"""Giving a seeded rule its regulation's real effective date (used by data migrations of several apps).

Rules were first seeded as in force since 01/01/2000. When the regulation a rule rests on took effect
later, the seeded row becomes the version before it (ending the day before, its basis the regulation
that applied then, marked "to confirm" since its value was not checked against that text) and a new
version, with the seeded value, basis and confidence, starts on the regulation's date. Rules an officer
has already given a later version, or that were seeded from another date, are left as they are.
"""

from datetime import date, timedelta

SEEDED_FROM = date(2000, 1, 1)
OLD_NOTE = "Theo văn bản trước đó; giá trị chưa đối chiếu, cần xác nhận."


def split_seeded(Rule, *, keys, on: date, basis: tuple[str, str], earlier: dict[str, dict[str, str]] | None = None,
                 keep_note: bool = False) -> None:
    """Split each of ``keys`` at ``on`` when its only version is the seeded one resting on the regulation
    ``basis[0]`` names; the version before cites ``basis[1]`` in its place. ``earlier`` gives, per key, the fields
    the version before holds instead of the seeded ones when the older text differed (its ``value``, its
    ``note``); ``keep_note`` keeps the seeded note on the version before where the note is the rule's own wording
    (a grading criterion's name)."""
    new, old = basis
    earlier = earlier or {}
    for key in keys:
        versions = list(Rule.objects.filter(key=key).order_by("effective_from"))
        if (len(versions) != 1 or versions[0].effective_from != SEEDED_FROM or versions[0].effective_to is not None
                or new not in versions[0].basis):
            continue
        seeded = versions[0]
        Rule.objects.create(
            key=key, value=seeded.value, unit=seeded.unit, comparison=seeded.comparison, basis=seeded.basis,
            confidence=seeded.confidence, note=seeded.note, effective_from=on, created_by="migration",
        )
        Rule.objects.filter(pk=seeded.pk).update(**{
            "effective_to": on - timedelta(days=1), "basis": seeded.basis.replace(new, old), "confidence": "to_confirm",
            "note": seeded.note if keep_note else OLD_NOTE, **earlier.get(key, {}),
        })


def join_split(Rule, *, keys, on: date) -> None:
    """The reverse: the version from ``on`` goes, the one before it is the seeded row again (its value, basis,
    confidence and note as the later version had them)."""
    for key in keys:
        later = Rule.objects.filter(key=key, effective_from=on, created_by="migration").first()
        if later is None:
            continue
        Rule.objects.filter(key=key, effective_from=SEEDED_FROM).update(
            effective_to=None, value=later.value, basis=later.basis, confidence=later.confidence, note=later.note)
        later.delete()
