"""Forms of the meeting pages (parsing only; the services validate and decide)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.core.forms import VNDateField
from chibo.meetings.models import Choice, MeetingKind, Presence, Resolution
from chibo.meetings.rules import CELL_KINDS, attendance_roll
from chibo.members.selectors import active_members_among, no_members
from chibo.units.picker import UnitChoiceField, UnitScope


class MeetingForm(forms.Form):
    unit = UnitChoiceField(label=_("Chi bộ"), empty_label=None, scope=UnitScope(perm="meetings.manage", open_only=True))
    kind = forms.ChoiceField(label=_("Loại sinh hoạt"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("Tiêu đề"), max_length=200)
    day = VNDateField(label=_("Ngày họp"))
    time = forms.TimeField(label=_("Giờ bắt đầu (giờ địa phương)"), input_formats=["%H:%M", "%Hh%M", "%H"],
                           widget=forms.TimeInput(attrs={"placeholder": "18:30", "inputmode": "numeric"}))
    planned_minutes = forms.IntegerField(label=_("Thời lượng dự kiến (phút)"), min_value=1, max_value=1440, initial=120)
    place = forms.CharField(label=_("Địa điểm"), max_length=200, required=False)
    online_link = forms.URLField(label=_("Đường dẫn họp trực tuyến"), max_length=300, required=False,
                                  assume_scheme="https")
    agenda = forms.CharField(label=_("Chương trình"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    draft_resolution = forms.CharField(label=_("Dự thảo nghị quyết"), widget=forms.Textarea(attrs={"rows": 4}),
                                       required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].bind(actor)


class BookFilterForm(forms.Form):
    """The minutes book's unit (a cell the actor may see the meetings of, their own for a member)."""

    unit = UnitChoiceField(label=_("Chi bộ"), required=False, empty_label=None, scope=UnitScope(
        perm="meetings.view", kinds=CELL_KINDS, include_own=True))

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].bind(actor)


class ContentForm(forms.Form):
    agenda = forms.CharField(label=_("Chương trình"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    draft_resolution = forms.CharField(label=_("Dự thảo nghị quyết"), widget=forms.Textarea(attrs={"rows": 4}),
                                       required=False)
    discussion = forms.CharField(label=_("Diễn biến, ý kiến thảo luận"), widget=forms.Textarea(attrs={"rows": 4}),
                                 required=False)
    conclusion = forms.CharField(label=_("Kết luận của chủ trì"), widget=forms.Textarea(attrs={"rows": 3}),
                                 required=False, help_text=_("Bắt buộc trước khi thông qua biên bản."))


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Tên tài liệu"), max_length=200)
    file = forms.FileField(label=_("Tệp (PDF, DOC, DOCX, ODT, TXT; tối đa 10 MB)"))
    unclassified = forms.BooleanField(label=_("Tôi xác nhận tài liệu không thuộc danh mục bí mật nhà nước"),
                                      required=False)


class ResolutionForm(forms.Form):
    title = forms.CharField(label=_("Nội dung biểu quyết"), max_length=300)
    text = forms.CharField(label=_("Nội dung nghị quyết (nếu có)"), widget=forms.Textarea(attrs={"rows": 3}),
                           required=False)
    secret = forms.BooleanField(label=_("Bỏ phiếu kín"), required=False)


class CountsForm(forms.Form):
    votes_for = forms.IntegerField(label=_("Tán thành"), min_value=0)
    votes_against = forms.IntegerField(label=_("Không tán thành"), min_value=0)
    votes_abstain = forms.IntegerField(label=_("Không biểu quyết"), min_value=0, initial=0)


class PaperForm(CountsForm):
    invalid = forms.IntegerField(label=_("Phiếu không hợp lệ"), min_value=0, initial=0)


class MinutesForm(forms.Form):
    text = forms.CharField(label=_("Biên bản"), widget=forms.Textarea(attrs={"rows": 18}))


class VoteForm(forms.Form):
    choice = forms.ChoiceField(label=_("Lựa chọn của đồng chí"), choices=Choice.choices, widget=forms.RadioSelect)


class SettingsForm(forms.Form):
    time_zone = forms.CharField(label=_("Múi giờ (để trống: theo quốc gia)"), max_length=64, required=False)
    online_ballots = forms.BooleanField(label=_("Cho phép bỏ phiếu kín trực tuyến"), required=False)


PRESENCE_CHOICES = [("", "—")] + list(Presence.choices)


class AttendanceForm(forms.Form):
    """One member's attendance (the secretary)."""

    member = forms.ModelChoiceField(label=_("Đảng viên"), queryset=no_members())
    presence = forms.ChoiceField(label=_("Có mặt"), choices=Presence.choices)
    reason = forms.CharField(label=_("Lý do vắng"), max_length=300, required=False)
    reason_approved = forms.BooleanField(label=_("Lý do được chấp nhận"), required=False)

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = active_members_among([m.pk for m in attendance_roll(meeting)])


class AttendanceSheetForm(forms.Form):
    """The whole sheet of a cell at once: ``presence_<member id>``, ``reason_<id>``, ``approved_<id>`` for each
    active member of the cell; only the rows with a presence are recorded, unless ``all_present``: then every
    member left unmarked is recorded present in person (mark the exceptions, then one tap)."""

    all_present = forms.BooleanField(label=_("Những người chưa đánh dấu: có mặt trực tiếp"), required=False)

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = attendance_roll(meeting)
        self.recorded = set(meeting.attendance.values_list("member_id", flat=True))
        for m in self.members:
            self.fields[f"presence_{m.pk}"] = forms.ChoiceField(label=m.full_name, choices=PRESENCE_CHOICES,
                                                                required=False)
            self.fields[f"reason_{m.pk}"] = forms.CharField(label=_("Lý do vắng"), max_length=300, required=False)
            self.fields[f"approved_{m.pk}"] = forms.BooleanField(label=_("Lý do được chấp nhận"), required=False)

    def clean(self):
        data = super().clean()
        known = {f"presence_{m.pk}" for m in self.members}
        if any(key.startswith("presence_") and key not in known and self.data.get(key) for key in self.data):
            raise forms.ValidationError(_("Đảng viên này không sinh hoạt tại chi bộ của cuộc họp."))
        fill = Presence.IN_PERSON if data.get("all_present") else ""

        def presence(m) -> str:  # a row already recorded (a self check-in) is not overwritten by the fill
            return data.get(f"presence_{m.pk}") or ("" if m.pk in self.recorded else fill)

        rows = [{"member": m, "presence": presence(m), "reason": data.get(f"reason_{m.pk}", ""),
                 "reason_approved": bool(data.get(f"approved_{m.pk}"))} for m in self.members if presence(m)]
        if not rows and not self.errors:
            raise forms.ValidationError(_("Chưa chọn tình trạng có mặt của ai."))
        data["rows"] = rows
        return data


class CheckInForm(forms.Form):
    online = forms.BooleanField(label=_("Tham dự trực tuyến"), required=False)


class OpenVoteForm(CountsForm):
    resolution = forms.ModelChoiceField(label=_("Nội dung biểu quyết"), queryset=Resolution.objects.none())

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resolution"].queryset = meeting.resolutions.filter(secret=False)


class SecretItemForm(forms.Form):
    resolution = forms.ModelChoiceField(label=_("Nội dung bỏ phiếu kín"), queryset=Resolution.objects.none())

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resolution"].queryset = meeting.resolutions.filter(secret=True, box__isnull=True)
