import json
import sys

from django.core.management.base import BaseCommand, CommandError

from jinxuan.ops.backup import BackupError, create, restore


class Command(BaseCommand):
    help = "备份与恢复：create 生成备份包（数据库、上传文件、审计锚点）；restore 恢复到空数据库并校验"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        c = sub.add_parser("create", help="生成备份包")
        c.add_argument("file", help="输出文件，如 jinxuan-2026-11-26.tar.gz")
        r = sub.add_parser("restore", help="把备份包恢复到当前配置的（空）数据库，并校验审计链与各阶段结果")
        r.add_argument("file")

    def handle(self, *args, action, file, **options):
        def progress(msg):
            print(msg, file=sys.stderr)

        try:
            if action == "create":
                manifest = create(file, progress)
                self.stdout.write(json.dumps({"file": file, "audit_head": manifest["audit_head"],
                                              "counts": manifest["counts"], "files": len(manifest["media"])},
                                             ensure_ascii=False))
                return
            report = restore(file, progress)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(json.dumps({"ok": report.ok, "counts": report.counts, "expected": report.manifest["counts"],
                                      "audit_problems": report.audit_problems,
                                      "replayed": len(report.replay),
                                      "replay_problems": [r for r in report.replay if not r["same"]]},
                                     ensure_ascii=False))
        if not report.ok:
            raise CommandError("恢复后的校验未通过（见上方输出）")
