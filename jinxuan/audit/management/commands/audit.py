import json

from django.core.management.base import BaseCommand, CommandError

from jinxuan.audit.models import AuditHead
from jinxuan.audit.tasks import anchor_scheduled, anchor_task
from jinxuan.audit.verify import publish_anchor, verify_report


class Command(BaseCommand):
    help = "审计日志：verify 校验哈希链；anchor 发布当前链头作为外部锚点"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="校验审计日志是否被篡改、删除或重排")
        verify.add_argument("--anchor", action="append", default=[], metavar="SEQ:HASH", help="额外的外部锚点")
        verify.add_argument("--anchor-file", default=None)
        anchor = sub.add_parser("anchor", help="把当前链头追加到锚点文件并打印")
        anchor.add_argument("--anchor-file", default=None)
        anchor.add_argument("--every", type=int, default=0, metavar="SECONDS",
                            help="交给后台任务进程（jinxuan db_worker）每隔 SECONDS 秒发布一次，例如 3600")
        sub.add_parser("head", help="以 JSON 打印当前链头（序号、哈希、时间），供异地保存；之后可用 verify --anchor 比对")

    def handle(self, *args, action, **options):
        if action == "head":
            from django.utils import timezone

            head = AuditHead.objects.filter(pk=1).values("seq", "hash").first() or {"seq": 0, "hash": ""}
            self.stdout.write(json.dumps(head | {"exported_at": timezone.now().isoformat(timespec="seconds"),
                                                 "verify": f"jinxuan audit verify --anchor {head['seq']}:{head['hash']}"},
                                         ensure_ascii=False))
            return
        if action == "anchor":
            self._anchor(options["anchor_file"], options["every"])
            return
        extra = []
        for item in options["anchor"]:
            seq, _, hash_ = item.partition(":")
            if not seq.isdigit() or len(hash_) != 64:
                raise CommandError(f"锚点格式应为 序号:64位哈希，收到 {item!r}")
            extra.append((int(seq), hash_))
        problems, first, holding = verify_report(extra, options["anchor_file"])
        held = f"最后一个仍吻合的锚点：#{holding[0]}" if holding else "没有仍吻合的锚点"
        if problems:
            for problem in problems:
                self.stderr.write(str(problem))
            if first is not None:
                self.stderr.write(f"首个未通过校验的事件：#{first.seq}（{first.message}）")
            self.stderr.write(held)
            raise CommandError(f"审计日志校验失败：发现 {len(problems)} 处问题")

        seq = AuditHead.objects.values_list("seq", flat=True).get(pk=1)
        self.stdout.write(f"审计日志完好：共 {seq} 条事件，哈希链一致；{held}")

    def _anchor(self, anchor_file, every: int) -> None:
        if every > 0:
            if anchor_scheduled():
                self.stdout.write(json.dumps({"queued": None, "already_scheduled": True}, ensure_ascii=False))
                return
            result = anchor_task.enqueue(every)
            self.stdout.write(json.dumps({"queued": str(result.id), "every_seconds": every}, ensure_ascii=False))
            return
        seq, hash_ = publish_anchor(anchor_file)
        self.stdout.write(f"{seq} {hash_}")
