"""Django forms for the small fixed forms of the portal (the 申报书 itself is schema-driven: formio)."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password

from jinxuan.formalrules.formcheck import EMAIL, MOBILE, credit_code_problem

from .models import Organisation
from .ownership import OwnershipError, check_licence

UNIT_TYPES = ["银行", "证券", "保险", "基金", "期货", "消费金融", "小额贷款", "保理", "融资租赁", "典当", "交易所",
              "科研院所", "科技企业", "其他"]


class OrganisationForm(forms.ModelForm):
    unit_type = forms.ChoiceField(label="单位类型", choices=[(t, t) for t in UNIT_TYPES])
    founded = forms.DateField(label="成立时间", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                              error_messages={"invalid": "请填写有效日期，如 2015-06-01"})
    listed = forms.ChoiceField(label="上市企业", choices=[("否", "否"), ("是", "是")], required=False)
    software_copyrights = forms.IntegerField(label="软件著作权数量", min_value=0, required=False)
    patents_filed = forms.IntegerField(label="受理专利数量", min_value=0, required=False)
    patents_granted = forms.IntegerField(label="授权专利数量", min_value=0, required=False)
    standards = forms.IntegerField(label="标准数量（各级合计）", min_value=0, required=False)
    contact_name = forms.CharField(label="联系人姓名", max_length=40)
    contact_title = forms.CharField(label="部门与职务", max_length=80)
    contact_mobile = forms.CharField(label="联系人手机", max_length=11)
    contact_email = forms.CharField(label="联系人电子邮箱", max_length=120)
    licence = forms.FileField(label="营业执照（PDF、JPG 或 PNG，不超过 10 MB；可稍后在单位页面上传）", required=False)
    dispute = forms.BooleanField(label="对已认证单位提出异议（该代码已被他人认证，本单位才是其合法持有人）", required=False)

    class Meta:
        model = Organisation
        fields = ["name", "credit_code", "unit_type", "registered_region", "office_region", "founded"]
        labels = {"registered_region": "注册地（省/市）", "office_region": "主要办公地（省/市）"}

    def clean_credit_code(self):
        code = self.cleaned_data["credit_code"].strip().upper()
        problem = credit_code_problem(code)
        if problem:
            raise forms.ValidationError(problem)
        return code

    def validate_unique(self):
        """A code already on file is claimed, not refused (jinxuan.applicants.ownership.register decides)."""

    def clean_licence(self):
        upload = self.cleaned_data.get("licence")
        if upload:
            try:
                check_licence(upload)
            except OwnershipError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return upload

    def clean_contact_mobile(self):
        value = self.cleaned_data["contact_mobile"].strip()
        if not MOBILE.match(value):
            raise forms.ValidationError("手机号码应为 11 位中国大陆手机号（以 13–19 开头）")
        return value

    def clean_contact_email(self):
        value = self.cleaned_data["contact_email"].strip()
        if not EMAIL.match(value):
            raise forms.ValidationError("电子邮箱格式不正确")
        return value

    PROFILE_FIELDS = ("listed", "software_copyrights", "patents_filed", "patents_granted", "standards",
                      "contact_name", "contact_title", "contact_mobile", "contact_email")

    def profile(self) -> dict:
        return {k: self.cleaned_data.get(k) for k in self.PROFILE_FIELDS}


class SignupForm(forms.Form):
    username = forms.RegexField(label="用户名", regex=r"^[A-Za-z0-9_.-]{3,30}$", max_length=30,
                                error_messages={"invalid": "用户名为 3–30 位字母、数字、下划线、点或连字符"})
    display_name = forms.CharField(label="姓名", max_length=40)
    email = forms.EmailField(label="电子邮箱", error_messages={"invalid": "电子邮箱格式不正确"})
    password = forms.CharField(label="密码", widget=forms.PasswordInput, min_length=8)

    def clean_username(self):
        name = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=name).exists():
            raise forms.ValidationError("该用户名已被使用")
        return name

    def clean(self):
        data = super().clean()
        if data.get("password"):
            user = get_user_model()(username=data.get("username", ""), email=data.get("email", ""))
            try:
                validate_password(data["password"], user)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data


class JointUnitForm(forms.Form):
    name = forms.CharField(label="联合申报单位名称", max_length=200)
    credit_code = forms.CharField(label="统一社会信用代码", max_length=18)

    def clean_credit_code(self):
        code = self.cleaned_data["credit_code"].strip().upper()
        problem = credit_code_problem(code)
        if problem:
            raise forms.ValidationError(problem)
        return code


class InviteForm(forms.Form):
    email = forms.EmailField(label="被邀请人电子邮箱", error_messages={"invalid": "电子邮箱格式不正确"})


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="撤回原因", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
