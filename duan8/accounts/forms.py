from django import forms
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _

from duan8.accounts import lockout
from duan8.accounts.models import Membership, User
from duan8.core.middleware import client_ip


class SignInForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)

    error_messages = {
        "invalid": _("Incorrect username or password."),
        "locked": _(
            "Too many failed sign-ins. This account is locked for %(minutes)d more minutes; "
            "try again later or ask your administrator to reset the password."
        ),
        "inactive": _("Incorrect username or password."),
    }

    def __init__(self, request=None, *args, **kwargs):
        self.request = request
        self.user_cache = None
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autofocus": True, "autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})

    def _locked_error(self, minutes: int) -> forms.ValidationError:
        return forms.ValidationError(
            self.error_messages["locked"], code="locked", params={"minutes": minutes}
        )

    def clean(self):
        username = self.cleaned_data.get("username", "")
        password = self.cleaned_data.get("password")
        if not username or password is None:
            return self.cleaned_data
        minutes = lockout.minutes_locked(username)
        if minutes:
            raise self._locked_error(minutes)
        user = authenticate(self.request, username=username, password=password)
        if user is None:
            lockout.note_failure(username, client_ip(self.request) if self.request else None)
            minutes = lockout.minutes_locked(username)
            if minutes:
                raise self._locked_error(minutes)
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        lockout.clear(username)
        self.user_cache = user
        return self.cleaned_data

    def get_user(self):
        return self.user_cache


class UserForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "email", "phone", "is_active"]


class NewUserForm(forms.ModelForm):
    password = forms.CharField(
        label=_("Initial password"),
        strip=False,
        widget=forms.PasswordInput,
        help_text=password_validation.password_validators_help_text_html(),
    )

    class Meta:
        model = User
        fields = ["username", "full_name", "email", "phone"]

    def clean_password(self):
        password = self.cleaned_data["password"]
        password_validation.validate_password(password, User(username=self.data.get("username")))
        return password


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["unit", "role"]

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class AdminSetPasswordForm(SetPasswordForm):
    """An administrator sets a new password for an account (and lifts any lock-out)."""
