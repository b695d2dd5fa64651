from django.core.management.base import BaseCommand

from jinxuan.formalreview.services import expire_corrections


class Command(BaseCommand):
    help = "补正逾期处理：补正截止时间已过仍未重新提交的申报判为形式审核不通过（记录原因；可由定时任务每小时运行）"

    def handle(self, *args, **options):
        self.stdout.write(f"已处理 {expire_corrections()} 份逾期未补正的申报")
