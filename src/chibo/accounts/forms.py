"""Forms of the accounts pages (and the input of their API operations)."""

from __future__ import annotations

from allauth.mfa.totp.forms import ActivateTOTPForm as AllauthActivateTOTPForm
from django import forms
from django.contrib.auth.password_validation import password_validators_help_texts
from django.utils.translation import gettext_lazy as _

from chibo.accounts.enums import AccountState
from chibo.core.access import Role
from chibo.units.picker import UnitChoiceField, UnitScope

OFFICER_ROLE_CHOICES = [(Role.ORG_OFFICER, _("Cán bộ tổ chức")), (Role.INSPECTOR, _("Cán bộ kiểm tra")),
                        (Role.TREASURER, _("Người thu đảng phí"))]


class ActivationForm(forms.Form):
    password = forms.CharField(label=_("Mật khẩu mới"), strip=False, max_length=200,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("Nhập lại mật khẩu"), strip=False, max_length=200,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = " ".join(str(t) for t in password_validators_help_texts())

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password2") is not None and data["password"] != data["password2"]:
            self.add_error("password2", _("Hai lần nhập mật khẩu không khớp."))
        return data


class StaffInviteForm(forms.Form):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=120)
    email = forms.EmailField(label=_("Thư điện tử"), max_length=254,
                             help_text=_("Lời mời kích hoạt tài khoản được gửi tới địa chỉ này."))
    role = forms.ChoiceField(label=_("Vai trò"), choices=OFFICER_ROLE_CHOICES)
    unit = UnitChoiceField(label=_("Tại tổ chức"), scope=UnitScope(perm="roles.edit", open_only=True),
                           empty_label=None,
                           help_text=_("Vai trò có hiệu lực tại tổ chức này và các tổ chức trực thuộc."))

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].bind(actor)


class RoleGrantForm(forms.Form):
    user = forms.IntegerField(label=_("Tài khoản"), min_value=1, widget=forms.HiddenInput)
    role = forms.ChoiceField(label=_("Vai trò"), choices=OFFICER_ROLE_CHOICES)
    unit = UnitChoiceField(label=_("Tại tổ chức"), scope=UnitScope(perm="roles.edit", open_only=True),
                           empty_label=None)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].bind(actor)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Lý do"), max_length=200)


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(label=_("Lý do"), max_length=200, required=False)


class InviteEmailForm(forms.Form):
    """A member's or an applicant's invitation: the address on their record unless another is given."""

    email = forms.EmailField(label=_("Thư điện tử"), max_length=254, required=False,
                             help_text=_("Để trống để dùng địa chỉ trong hồ sơ."))


class TokenForm(forms.Form):
    label = forms.CharField(label=_("Tên gợi nhớ"), max_length=100,
                            help_text=_("Ví dụ: «Máy tính văn phòng», «Báo cáo tự động»."))


class AccountFilterForm(forms.Form):
    q = forms.CharField(label=_("Tìm"), required=False, max_length=100)
    state = forms.ChoiceField(label=_("Tình trạng"), required=False,
                              choices=[("", _("Tất cả"))] + list(AccountState.choices))


class RoleFilterForm(forms.Form):
    role = forms.ChoiceField(label=_("Vai trò"), required=False, choices=[("", _("Tất cả"))] + list(Role.CHOICES))
    unit = UnitChoiceField(label=_("Tổ chức"), scope=UnitScope(perm="accounts.view"), required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].bind(actor)


class ActivateTOTPForm(AllauthActivateTOTPForm):
    """allauth's TOTP activation with a number keypad on phones for the 6-digit code."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update({"inputmode": "numeric", "autocapitalize": "none",
                                                 "spellcheck": "false"})
