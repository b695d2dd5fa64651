"""Mail held in the outbox (as `jinxuan demo` does, see tests/demo/test_population.py): stored, not sent."""

from django.core import mail


def test_held_mail_is_stored_not_sent(db):
    from jinxuan.notifications.mail import held, notify
    from jinxuan.notifications.models import Event

    with held("演示数据"):
        stored = notify(Event.EXPERT_REMINDER, ["a@example.cn"], {"name": "甲", "count": 1, "items": ["x"],
                                                                   "deadline": "明天", "link": "/"})
    assert [m.sent_at for m in stored] == [None] and stored[0].error == "演示数据"
    assert mail.outbox == []
    notify(Event.EXPERT_REMINDER, ["b@example.cn"], {"name": "乙", "count": 1, "items": ["y"], "deadline": "明天",
                                                     "link": "/"})
    assert len(mail.outbox) == 1  # outside the block mail is sent as before
