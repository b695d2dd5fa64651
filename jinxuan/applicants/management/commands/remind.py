from django.core.management.base import BaseCommand

from jinxuan.applicants.reminders import send_deadline_reminders


class Command(BaseCommand):
    help = "向截止前 24 小时内仍未提交的草稿所属单位发送提醒（每份草稿只提醒一次；可由定时任务每小时运行）"

    def handle(self, *args, **options):
        self.stdout.write(f"已发送 {send_deadline_reminders()} 封提醒邮件")
