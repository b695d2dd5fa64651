"""Login and password-reset forms with the limits of `throttle`."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm

from . import throttle
from .models import User


class ThrottledLoginForm(AuthenticationForm):
    """Refuses further attempts once one address failed too often over all accounts, or one account from
    every address (django-axes locks one user name from one address on top of this)."""

    def clean(self):
        username = (self.data.get("username") or "").strip()
        ip = throttle.client_ip(self.request)
        if throttle.exceeded("login_ip", ip) or throttle.exceeded("login_account", username):
            raise forms.ValidationError(
                f"登录失败次数过多，已暂停登录，请约 {throttle.minutes_left('login_ip')} 分钟后再试。",
                code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            throttle.hit("login_ip", ip)
            throttle.hit("login_account", username)
            raise
        throttle.reset("login_account", username)
        return cleaned


class VerifiedFirstResetForm(PasswordResetForm):
    """Sends the reset link to the verified account of the address if there is one, else to the unverified
    accounts that name it (whoever opens the mail owns the mailbox)."""

    def get_users(self, email):
        users = list(super().get_users(email))
        verified = [u for u in users if u.email_verified]
        return iter(verified or users)



class InvitationSignupForm(forms.Form):
    """A new person sets a password through a seat invitation."""

    username = forms.RegexField(label="用户名", regex=r"^[A-Za-z0-9_.-]{3,30}$", max_length=30,
                                error_messages={"invalid": "用户名为 3–30 位字母、数字、下划线、点或连字符"})
    display_name = forms.CharField(label="姓名", max_length=40)
    password = forms.CharField(label="密码", widget=forms.PasswordInput, min_length=8,
                               error_messages={"min_length": "密码至少 8 位"})
    password2 = forms.CharField(label="再次输入密码", widget=forms.PasswordInput)

    def __init__(self, *args, email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_username(self):
        name = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=name).exists():
            raise forms.ValidationError("该用户名已被使用")
        return name

    def clean(self):
        from django.contrib.auth.password_validation import validate_password

        data = super().clean()
        if data.get("password") and data.get("password2") is not None and data["password"] != data["password2"]:
            self.add_error("password2", "两次输入的密码不一致")
        elif data.get("password"):
            try:
                validate_password(data["password"], User(username=data.get("username", ""), email=self.email))
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data
