"""Render a notification from its (campaign or default) template, store it in the outbox, send it."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.core.mail import send_mail
from django.template import Context
from django.template import Template as DjangoTemplate
from django.utils import timezone

from .models import Event, OutboxMessage, Template

DEFAULTS = {
    Event.SUBMITTED: (
        "【{{ campaign }}】申报已提交：{{ title }}",
        "您好：\n\n您单位的申报“{{ title }}”（编号 {{ number }}）已于 {{ time }} 提交，版本 {{ version }}，内容摘要值 {{ hash }}。\n"
        "请在系统中下载带水印的申报书，加盖公章后按要求寄送纸质材料。\n",
    ),
    Event.STATE_CHANGED: (
        "【{{ campaign }}】申报状态更新：{{ title }}",
        "您好：\n\n申报“{{ title }}”（编号 {{ number }}）的状态已变更为“{{ state }}”。{% if reason %}\n说明：{{ reason }}{% endif %}\n",
    ),
    Event.DEADLINE_REMINDER: (
        "【{{ campaign }}】申报将于 24 小时内截止",
        "您好：\n\n您单位的申报“{{ title }}”尚未提交。申报将于 {{ deadline }}（北京时间）截止，请尽快完成并提交。\n",
    ),
    Event.INVITATION: (
        "邀请您加入 {{ organisation }}",
        "您好：\n\n{{ inviter }} 邀请您以 {{ organisation }} 成员身份使用金选平台申报。请打开以下链接接受邀请：\n{{ link }}\n",
    ),
    Event.EXPERT_INVITED: (
        "【{{ campaign }}】专业评审邀请",
        "{{ name }} 您好：\n\n诚邀您担任“{{ campaign }}”专业评审专家。请打开以下链接设置登录密码：\n{{ link }}\n"
        "登录后可在“我的工作台”查看评审任务；如与某申报存在利益关系，请在评分页申报回避。\n",
    ),
    Event.EXPERT_ASSIGNED: (
        "【{{ campaign }}】您有 {{ count }} 份申报待评审",
        "{{ name }} 您好：\n\n已为您分配 {{ count }} 份申报，请于 {{ deadline }} 前完成评分：\n"
        "{% for line in items %}  · {{ line }}\n{% endfor %}\n评审入口：{{ link }}\n",
    ),
    Event.EXPERT_REMINDER: (
        "【{{ campaign }}】评审提醒：尚有 {{ count }} 份未提交",
        "{{ name }} 您好：\n\n您尚有 {{ count }} 份申报的评分未提交，请于 {{ deadline }} 前完成：\n"
        "{% for line in items %}  · {{ line }}\n{% endfor %}\n评审入口：{{ link }}\n",
    ),
}


_HELD: ContextVar[str] = ContextVar("jinxuan_mail_held", default="")


@contextmanager
def held(why: str):
    """Within the block, notifications are stored in the outbox but not sent; `why` is shown there."""
    token = _HELD.set(why)
    try:
        yield
    finally:
        _HELD.reset(token)


def template_for(event: str, campaign=None) -> tuple[str, str]:
    found = Template.objects.filter(event=event, campaign=campaign).first() if campaign else None
    return (found.subject, found.body) if found else DEFAULTS[event]


def notify(event: str, to: list[str], context: dict, campaign=None, dedupe_key: str = "") -> list[OutboxMessage]:
    subject_t, body_t = template_for(event, campaign)
    ctx = Context(context, autoescape=False)
    subject = DjangoTemplate(subject_t).render(ctx).strip().replace("\n", " ")
    body = DjangoTemplate(body_t).render(ctx)
    sent = []
    for address in sorted({a for a in to if a}):
        if dedupe_key and OutboxMessage.objects.filter(dedupe_key=dedupe_key, to=address).exists():
            continue
        message = OutboxMessage.objects.create(campaign=campaign, event=event, to=address, subject=subject, body=body, dedupe_key=dedupe_key)
        if _HELD.get():
            message.error = _HELD.get()
            message.save(update_fields=["error"])
            sent.append(message)
            continue
        try:
            send_mail(subject, body, None, [address])
            message.sent_at = timezone.now()
        except OSError as exc:  # SMTP outage: kept in the outbox to resend
            message.error = str(exc)
        message.save(update_fields=["sent_at", "error"])
        sent.append(message)
    return sent
