"""Members going abroad and coming back: transfers and their letters, the transfer book (10-SHĐ),
outside organizations (a directory of organizations, never people), holds that block a transfer,
return self-reviews. Rows are written only by ``chibo.transfers.services``."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_noop

from chibo.core.crypto import EncryptedTextField
from chibo.core.yearly import StoredPeriods, figure_model
from chibo.members.reviews import MemberRequest


class OrgKind(models.TextChoices):
    DOMESTIC_PARTY = "domestic_party", gettext_noop("Tổ chức đảng trong nước")
    MISSION = "mission", gettext_noop("Cơ quan đại diện Việt Nam")
    OTHER = "other", gettext_noop("Tổ chức khác")


class OutsideOrganization(models.Model):
    """A party organization outside the tree (domestic committees sending or receiving members)."""

    name = models.CharField(gettext_noop("tên tổ chức"), max_length=200, unique=True)
    kind = models.CharField(gettext_noop("loại"),
                            max_length=20, choices=OrgKind.choices, default=OrgKind.DOMESTIC_PARTY)
    upper_name = models.CharField(gettext_noop("cấp ủy cấp trên"), max_length=200, blank=True)
    address = models.CharField(gettext_noop("địa chỉ"), max_length=300, blank=True)
    active = models.BooleanField(gettext_noop("còn hoạt động"), default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class HoldKind(models.TextChoices):
    INSPECTION = "inspection", gettext_noop("Đang bị kiểm tra")
    COMPLAINT = "complaint", gettext_noop("Đang có đơn khiếu nại, tố cáo chưa giải quyết")


class TransferHold(models.Model):
    """'Under inspection / pending complaint': while open, no transfer or letter for the member."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="transfer_holds")
    kind = models.CharField(gettext_noop("loại"), max_length=20, choices=HoldKind.choices)
    reference = models.CharField(gettext_noop("số văn bản"), max_length=120)
    opened_on = models.DateField(gettext_noop("từ ngày"))
    closed_on = models.DateField(gettext_noop("đến ngày"), null=True, blank=True)
    # Set when a process put the hold ("discipline:12"): only that process lifts it.
    owner = models.CharField(max_length=40, blank=True, default="")

    class Meta:
        ordering = ["-opened_on", "-pk"]


class Kind(models.TextChoices):
    ABROAD = "abroad", gettext_noop("Từ trong nước sang công tác ở nước ngoài")
    OFFICIAL_OUT = "official_out", gettext_noop("Chuyển sinh hoạt chính thức ra khỏi Đảng bộ")
    OFFICIAL_IN = "official_in", gettext_noop("Tiếp nhận sinh hoạt chính thức vào Đảng bộ")
    TEMPORARY = "temporary", gettext_noop("Chuyển sinh hoạt tạm thời")
    RETURN = "return", gettext_noop("Về nước, giới thiệu về tổ chức đảng trong nước")
    INTERNAL = "internal", gettext_noop("Chuyển sinh hoạt trong Đảng bộ")


# Incoming kinds arrive with a letter already issued by an outside organization.
INCOMING = {Kind.ABROAD, Kind.OFFICIAL_IN}
# Outgoing kinds end at an outside organization.
OUTGOING = {Kind.OFFICIAL_OUT, Kind.RETURN}


class State(models.TextChoices):
    REQUESTED = "requested", gettext_noop("Đã đề nghị")
    APPROVED = "approved", gettext_noop("Chi bộ đã đồng ý")
    ISSUED = "issued", gettext_noop("Đã cấp giấy giới thiệu")
    FORWARDED = "forwarded", gettext_noop("Đảng ủy cấp trên đã giới thiệu tiếp")
    RECEIVED = "received", gettext_noop("Nơi đến đã nhận giấy")
    REPORTED = "reported", gettext_noop("Đảng viên đã đến sinh hoạt")
    CANCELLED = "cancelled", gettext_noop("Đã hủy")


OPEN_STATES = {State.REQUESTED, State.APPROVED, State.ISSUED, State.FORWARDED, State.RECEIVED}


class Transfer(models.Model):
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="transfers")
    kind = models.CharField(gettext_noop("loại"), max_length=20, choices=Kind.choices)
    state = models.CharField(gettext_noop("tình trạng"), max_length=20, choices=State.choices, default=State.REQUESTED)
    from_unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    from_org = models.ForeignKey(OutsideOrganization, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_org = models.ForeignKey(OutsideOrganization, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The unit that manages the member while the transfer is under way (for scope).
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    decision_doc = models.CharField(gettext_noop("quyết định điều động"), max_length=120)
    decision_date = models.DateField(gettext_noop("ngày quyết định"))
    reason = models.CharField(gettext_noop("lý do"), max_length=300)
    period_from = models.DateField(gettext_noop("từ ngày"), null=True, blank=True)
    period_to = models.DateField(gettext_noop("đến ngày"), null=True, blank=True)
    requested_on = models.DateField(gettext_noop("ngày đề nghị"))
    approved_on = models.DateField(null=True, blank=True)
    issued_on = models.DateField(null=True, blank=True)
    forwarded_on = models.DateField(null=True, blank=True)
    received_on = models.DateField(null=True, blank=True)
    reported_on = models.DateField(null=True, blank=True)
    incoming_letter = models.CharField(gettext_noop("số giấy giới thiệu của nơi đi"), max_length=120, blank=True)
    start_due = models.DateField(null=True, blank=True)
    report_due = models.DateField(null=True, blank=True)
    late_start = models.BooleanField(default=False)
    late_start_reason = models.CharField(max_length=300, blank=True)
    late_report = models.BooleanField(default=False)
    late_report_reason = models.CharField(max_length=300, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-requested_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["member"],
                                    condition=models.Q(state__in=sorted(s.value for s in OPEN_STATES)),
                                    name="transfer_one_open_per_member"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.member}"

    @property
    def source(self) -> str:
        return f"transfer:{self.pk}"

    @property
    def destination(self) -> str:
        place = self.to_unit or self.to_org
        return place.name if place else ""

    @property
    def origin(self) -> str:
        place = self.from_unit or self.from_org
        return place.name if place else ""

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class Form(models.TextChoices):
    TEN_BOX = "10box", gettext_noop("Giấy giới thiệu sinh hoạt đảng (10 ô)")
    TEMPORARY = "2-SHD", gettext_noop("Giấy giới thiệu sinh hoạt đảng tạm thời (mẫu 2-SHĐ)")
    ABROAD = "3-SHD", gettext_noop("Giấy giới thiệu sinh hoạt đảng ra nước ngoài (mẫu 3-SHĐ)")


class LetterCounter(models.Model):
    """The last letter number of an issuing unit in a year; locked (select_for_update) to issue."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="letter_counter_unit_year")]


# The sign of the issuing body in a document's number, by kind of unit (as on the party's paper forms).
ISSUER_SIGN = {"upper": "ĐU", "grassroots_committee": "ĐU", "grassroots_cell": "CB", "subordinate_cell": "CB",
               "party_group": "TĐ", "delegation_cell": "CB"}


class Letter(models.Model):
    """One letter in the transfer book (10-SHĐ) of its issuing unit; voided letters stay."""

    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="letters")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="transfer_letters")
    issuer = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    seq = models.PositiveIntegerField()
    form = models.CharField(max_length=8, choices=Form.choices)
    box = models.PositiveSmallIntegerField(default=1)
    issued_on = models.DateField()
    addressee = models.CharField(gettext_noop("nơi nhận"), max_length=200)
    signer_title = models.CharField(max_length=60)
    signer_name = models.CharField(max_length=120)
    dues_paid_through = models.CharField(gettext_noop("đã đóng đảng phí đến hết tháng"), max_length=7)
    member_list_row = models.PositiveIntegerField(null=True, blank=True)
    valid_until = models.DateField()
    void_reason = models.CharField(max_length=300, blank=True)
    voided_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["issuer", "year", "seq"]
        constraints = [models.UniqueConstraint(fields=["issuer", "year", "seq"], name="letter_number_unique")]

    @property
    def number(self) -> str:
        """``12-GGT/ĐUBNG``: the number in the issuer's register of the year and the issuer's official abbreviation,
        or, when it has none, the sign of the kind of body that signs (``12-GGT/ĐU``); never its internal code."""
        return f"{self.seq}-GGT/{self.issuer.abbreviation or ISSUER_SIGN.get(self.issuer.kind, 'CB')}"

    @property
    def is_void(self) -> bool:
        return bool(self.void_reason)


class ReturnReview(models.Model):
    """The member's self-review of the time abroad, certified by the cell or the mission."""

    class Certifier(models.TextChoices):
        CELL = "cell", gettext_noop("Chi ủy / cấp ủy nơi sinh hoạt")
        MISSION = "mission", gettext_noop("Cơ quan đại diện Việt Nam")

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="return_reviews")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    period_from = models.DateField()
    period_to = models.DateField()
    text = models.TextField(gettext_noop("tự kiểm điểm"))
    submitted_on = models.DateField()
    certified_by = models.CharField(max_length=12, choices=Certifier.choices, blank=True)
    certifier_label = models.CharField(gettext_noop("người / cơ quan xác nhận"), max_length=200, blank=True)
    certified_on = models.DateField(null=True, blank=True)
    certified_ref = models.CharField(gettext_noop("số văn bản xác nhận"), max_length=120, blank=True)

    class Meta:
        ordering = ["-submitted_on", "-pk"]

    @property
    def is_certified(self) -> bool:
        return self.certified_on is not None


class DelegationRole(models.TextChoices):
    """The post a member holds in a delegation cell (the first three are committee posts)."""

    SECRETARY = "secretary", gettext_noop("Bí thư")
    DEPUTY_SECRETARY = "deputy_secretary", gettext_noop("Phó bí thư")
    COMMITTEE_MEMBER = "committee_member", gettext_noop("Cấp ủy viên")
    MEMBER = "member", gettext_noop("Đảng viên")


class DelegationState(models.TextChoices):
    ABROAD = "abroad", gettext_noop("Đang ở nước ngoài")
    RETURNED = "returned", gettext_noop("Đã về nước")


class Delegation(models.Model):
    """A delegation abroad whose full members form a temporary cell (a unit of kind delegation_cell):
    the upper committee's decision (the unit's ``opened_by_doc``), its tasks, the expected return."""

    unit = models.OneToOneField("units.Unit", on_delete=models.PROTECT, related_name="delegation")
    return_on = models.DateField(gettext_noop("dự kiến về nước"), null=True, blank=True)

    def __str__(self) -> str:
        return self.unit.name

    @property
    def state(self) -> str:
        """Abroad while its temporary cell is open; back home once the cell closed (transfers.lifecycle)."""
        return DelegationState.ABROAD if self.unit.is_open else DelegationState.RETURNED


class DelegationTask(models.Model):
    """One task the upper committee gives the temporary cell for the time abroad."""

    delegation = models.ForeignKey(Delegation, on_delete=models.PROTECT, related_name="tasks")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(gettext_noop("nhiệm vụ"), max_length=500)
    due_on = models.DateField(gettext_noop("thời hạn"), null=True, blank=True)

    class Meta:
        ordering = ["delegation", "position"]


class DelegationMember(models.Model):
    """A member attached to the delegation cell for the mission, with the unit they came from."""

    delegation = models.ForeignKey(Delegation, on_delete=models.PROTECT, related_name="attached")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    from_unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(gettext_noop("chức vụ trong đoàn"), max_length=20, choices=DelegationRole.choices,
                            default=DelegationRole.MEMBER)
    attached_on = models.DateField()
    detached_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["delegation", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["member"], condition=models.Q(detached_on__isnull=True),
                                    name="delegation_member_one_open"),
        ]


class TripState(models.TextChoices):
    FILED = "filed", gettext_noop("Đã nộp đơn")
    OPINION = "opinion", gettext_noop("Chi bộ đã cho ý kiến")
    APPROVED = "approved", gettext_noop("Được đồng ý")
    REFUSED = "refused", gettext_noop("Không đồng ý")
    REPORTED = "reported", gettext_noop("Đã báo cáo sau chuyến đi")


class Trip(MemberRequest):
    """A member's private trip abroad, reviewed (members.reviews) before travel; the report is due within
    ``trip.report_within`` working days of return."""

    country = models.CharField(gettext_noop("nước đến (ISO 3166)"), max_length=2)
    purpose = models.CharField(gettext_noop("mục đích"), max_length=300)
    depart_on = models.DateField(gettext_noop("ngày đi"))
    return_on = models.DateField(gettext_noop("ngày về"))
    state = models.CharField(max_length=12, choices=TripState.choices, default=TripState.FILED)
    report_due = models.DateField(null=True, blank=True)
    report_text = models.TextField(gettext_noop("báo cáo"), blank=True)
    reported_on = models.DateField(null=True, blank=True)
    late_report = models.BooleanField(default=False)

    class Meta:
        ordering = ["-depart_on", "-pk"]

    @property
    def source(self) -> str:
        return f"trip:{self.pk}"


class ExemptionState(models.TextChoices):
    FILED = "filed", gettext_noop("Đã nộp đơn")
    OPINION = "opinion", gettext_noop("Chi bộ đã có nghị quyết")
    APPROVED = "approved", gettext_noop("Được miễn")
    REFUSED = "refused", gettext_noop("Không được miễn")


class Exemption(MemberRequest):
    """Exemption from party work and meetings for a period abroad alone under ``transfer.official_abroad_min_months``
    months, on application, reviewed (members.reviews): the cell resolves, the committee above decides."""

    period_from = models.DateField(gettext_noop("từ ngày"))
    period_to = models.DateField(gettext_noop("đến ngày"))
    reason = EncryptedTextField(gettext_noop("lý do"))  # often about health: encrypted like the other personal fields
    state = models.CharField(max_length=10, choices=ExemptionState.choices, default=ExemptionState.FILED)

    class Meta:
        ordering = ["-period_from", "-pk"]


class DeclarationKind(models.TextChoices):
    CLASSIFIED_DOCS = "classified_docs", gettext_noop("Mang tài liệu mật ra nước ngoài")
    FOREIGN_AWARD = "foreign_award", gettext_noop("Dự kiến nhận huân chương, danh hiệu, học vị của nước ngoài")
    FOREIGN_ORG = "foreign_org", gettext_noop("Tham gia tổ chức nước ngoài hoặc quốc tế")
    FOREIGN_MARRIAGE = "foreign_marriage", gettext_noop("Kết hôn với người nước ngoài")
    FOREIGN_NATIONALITY = "foreign_nationality", gettext_noop("Nhập quốc tịch nước ngoài")


class DeclarationState(models.TextChoices):
    FILED = "filed", gettext_noop("Đã khai")
    OPINION = "opinion", gettext_noop("Chi bộ đã cho ý kiến")
    APPROVED = "approved", gettext_noop("Cấp ủy đồng ý")
    REFUSED = "refused", gettext_noop("Cấp ủy không đồng ý")


class Declaration(MemberRequest):
    """What the member declares about themselves, reviewed (members.reviews). No details of other people
    are stored: for a marriage only the fact and the country; for classified documents only register metadata."""

    kind = models.CharField(max_length=24, choices=DeclarationKind.choices)
    country = models.CharField(gettext_noop("nước liên quan (ISO 3166)"), max_length=2, blank=True)
    subject = models.CharField(gettext_noop("nội dung khai (về bản thân)"), max_length=300, blank=True)
    event_on = models.DateField(gettext_noop("ngày diễn ra (dự kiến)"), null=True, blank=True)
    state = models.CharField(max_length=10, choices=DeclarationState.choices, default=DeclarationState.FILED)

    class Meta:
        ordering = ["-filed_on", "-pk"]


class TransferYearFigure(models.Model):
    """Completed transfers (the member reported at the destination) of ``year`` as the statistics count them at one
    unit (``transfers.selectors.transfers_per_year``): ``arrived`` into it, ``left`` from it, and ``inside``, those
    whose two ends lie in its subtree under two different children or in itself (it is their lowest common
    ancestor); and the same summed over its subtree. A subtree's transfers in are then its arrivals less those
    inside it, its transfers out its departures less the same. Derived data, written only by
    ``chibo.transfers.yearly`` (``chibo.core.yearly``); a row with ``dirty`` above 0 is never read as it is."""

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    arrived = models.IntegerField(default=0)
    left = models.IntegerField(default=0)
    inside = models.IntegerField(default=0)
    sub_arrived = models.IntegerField(default=0)
    sub_left = models.IntegerField(default=0)
    sub_inside = models.IntegerField(default=0)
    dirty = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="transfer_year_figure_once")]
        indexes = [models.Index(fields=["year", "unit"], name="transfer_year_figure_dirty_idx",
                                condition=models.Q(dirty__gt=0))]


class TransferYearStored(models.Model):
    """A year whose ``TransferYearFigure`` rows have been computed for every unit (``ready``), or are being computed."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    ready = models.BooleanField(default=False)
    computed_at = models.DateTimeField(null=True, blank=True)


TransferMonthFigure = figure_model(
    "TransferMonthFigure", __name__, ("received", "received_inside", "issued", "issued_inside"),
    """Transfers (not cancelled) of a month at one unit, as the roll-up's live column counts a period's transfers in
    and out of a subtree (``year`` is the month's period number, ``core.yearly.month_period``): ``received`` at it
    (the destination received the letter that month) and ``issued`` from it (the letter issued that month), with
    ``received_inside`` and ``issued_inside``, those of the same months whose two ends lie in its subtree under two
    different children or in itself (it is their lowest common ancestor); and the same summed over its subtree. A
    subtree's transfers in are then its received less those received inside it, its transfers out its issued less
    those issued inside. Derived data, written only by ``chibo.transfers.yearly``; a row with ``dirty`` above 0 is
    never read as it is.""")


class TransferMonthStored(StoredPeriods):
    """A month whose ``TransferMonthFigure`` rows have been computed for every unit (``ready``)."""
