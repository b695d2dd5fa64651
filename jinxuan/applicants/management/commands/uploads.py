import json

from django.core.management.base import BaseCommand

from jinxuan.applicants.purge import purge_uploads
from jinxuan.applicants.tasks import purge_scheduled, purge_uploads_task


class Command(BaseCommand):
    help = "上传文件维护：purge 清理超过 24 小时未完成的上传、无记录的残留分片与文件、过期的临时文件"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("purge", help="立即清理一次；--every 秒数：交给后台任务进程按此间隔反复清理")
        p.add_argument("--every", type=int, default=0, metavar="秒",
                       help="交给后台任务进程（jinxuan db_worker）定期执行，例如 3600")

    def handle(self, *args, action, every, **options):
        if every > 0:
            if purge_scheduled():
                self.stdout.write(json.dumps({"queued": None, "already_scheduled": True}, ensure_ascii=False))
                return
            result = purge_uploads_task.enqueue(every)
            self.stdout.write(json.dumps({"queued": str(result.id), "every_seconds": every}, ensure_ascii=False))
            return

        self.stdout.write(json.dumps(purge_uploads(), ensure_ascii=False))
