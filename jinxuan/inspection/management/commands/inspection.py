import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jinxuan.inspection.publication import verify_document


class Command(BaseCommand):
    help = "实地考察：verify 复核下载的抽取记录（JSON）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="按公开的步骤复算承诺值、名单摘要、抽签值和抽中名单")
        verify.add_argument("file", help="从公开核验页下载的 JSON 文件")

    def handle(self, *args, action, file, **options):
        try:
            doc = json.loads(Path(file).read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(f"无法读取文件 {file}：{exc.strerror or exc}") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"文件 {file} 不是有效的 JSON：{exc}") from None
        problems = verify_document(doc)
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"抽取记录复核失败：{len(problems)} 处不符")
        self.stdout.write(f"抽取记录复核一致：种子与承诺值相符，名单摘要 {doc['ranking_digest'][:16]}…，"
                          f"从 {len(doc['ranking'])} 份中抽中 {len(doc['selected'])} 份：{doc['selected']}")
