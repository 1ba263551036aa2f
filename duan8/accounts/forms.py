from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _

from duan8.accounts import lockout, two_factor
from duan8.accounts.models import Membership, User
from duan8.core.versions import VersionedForm


class SignInForm(forms.Form):
    """The password step. ``get_user()`` is the account to sign in now; ``pending`` the
    account whose code is asked next (two-step sign-in), with whether the password was right.
    """

    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)

    error_messages = {
        "invalid": _("Incorrect username or password."),
        "locked": _(
            "Too many failed sign-ins. Signing in to this account from this browser is "
            "blocked for %(minutes)d more minutes. Sign in from a browser you have used "
            "before, try again later, or ask your administrator to lift the block."
        ),
        "inactive": _("Incorrect username or password."),
    }

    def __init__(self, request=None, *args, **kwargs):
        self.request = request
        self.user_cache = None
        self.pending = None
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
        attempt = lockout.attempt(self.request, username)
        minutes = lockout.minutes_blocked(attempt)
        if minutes and two_factor.confirmed(attempt.account) is None:
            # Tries while blocked count too: the block lasts as long as the guessing.
            lockout.note_failure(attempt)
            raise self._locked_error(minutes)
        if minutes:
            # Blocked here, but the owner may have her code: ask for it without telling
            # whether the password was right. Every try counts — the right password too — so
            # that no counter tells a right guess from a wrong one.
            lockout.note_failure(attempt)
        user = authenticate(self.request, username=username, password=password)
        if minutes:
            if user is None or two_factor.confirmed(user) is None:
                self.pending = (attempt.account, False, "")
            else:
                self.pending = (user, True, user.backend)
            return self.cleaned_data
        if user is None:
            lockout.note_failure(attempt)
            minutes = lockout.minutes_blocked(attempt)
            if minutes:
                raise self._locked_error(minutes)
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if two_factor.confirmed(user) is not None:
            self.pending = (user, True, user.backend)
        else:
            self.user_cache = user
        return self.cleaned_data

    def get_user(self):
        return self.user_cache


class CodeForm(forms.Form):
    """The second step of a sign-in, or a code that confirms or turns off two-step sign-in."""

    code = forms.CharField(
        label=_("Authentication code"),
        max_length=12,
        help_text=_("The 6-digit code your authenticator app shows now."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(
            {"autofocus": True, "autocomplete": "one-time-code", "inputmode": "numeric"}
        )


class DisableTwoFactorForm(forms.Form):
    """Turning two-step sign-in off needs a current code or the account's password."""

    code = forms.CharField(label=_("Authentication code"), max_length=12, required=False)
    password = forms.CharField(
        label=_("or your password"), strip=False, widget=forms.PasswordInput, required=False
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        code = self.cleaned_data.get("code", "")
        password = self.cleaned_data.get("password", "")
        factor = self.user.second_factor
        if code and two_factor.verify(factor, code):
            return self.cleaned_data
        if password and self.user.check_password(password):
            return self.cleaned_data
        raise forms.ValidationError(
            _("Type a current code from your app or your password."), code="invalid"
        )


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. DHIS2 exchange."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"] = forms.IntegerField(
            label=_("Valid for (days)"),
            min_value=1,
            max_value=settings.API_TOKEN_MAX_DAYS,
            initial=settings.API_TOKEN_DAYS,
        )


class UserForm(VersionedForm):
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

    def clean_username(self):
        username = self.cleaned_data["username"]
        taken = User.objects.named(username).first()
        if taken is not None:
            raise forms.ValidationError(
                _(
                    "The username %(taken)s is already in use. Usernames do not distinguish "
                    "capital letters: choose another one."
                ),
                code="taken",
                params={"taken": taken.username},
            )
        return username

    def clean_password(self):
        password = self.cleaned_data["password"]
        password_validation.validate_password(password, User(username=self.data.get("username")))
        return password


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["unit", "role", "may_export_personal_data"]

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class AdminSetPasswordForm(SetPasswordForm):
    """An administrator sets a new password for an account (and lifts any lock-out)."""
