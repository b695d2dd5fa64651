import json
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from jinxuan.campaigns.models import Campaign
from jinxuan.campaigns.preset_io import PresetError, read_preset
from jinxuan.formalrules.evaluate import screen, validate_record


class Command(BaseCommand):
    help = "按征集活动的形式审核规则检查一份导出的申报（JSON），以 JSON 打印发现的问题；有无问题均返回 0"
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True, metavar="SLUG")
        parser.add_argument("file", metavar="FILE.json", help="申报导出文件；- 表示标准输入")

    def handle(self, *args, campaign, file, **options):
        spec = self._spec(campaign)
        try:
            text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
            data = json.loads(text)
        except FileNotFoundError as exc:
            raise CommandError(f"文件不存在：{file}") from exc
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"不是有效的 UTF-8 JSON：{exc}") from exc
        problems = validate_record(data)
        if problems:
            raise CommandError("申报数据不可用：" + "；".join(problems))
        findings = [f.to_json() for f in screen(spec, data)]
        self.stdout.write(json.dumps({"campaign": campaign, "number": data.get("number"), "findings": findings,
                                      "blocking": sum(f["severity"] == "blocking" for f in findings),
                                      "warnings": sum(f["severity"] == "warning" for f in findings)},
                                     ensure_ascii=False, indent=2))

    def _spec(self, slug):
        from django.db import DatabaseError

        try:
            found = Campaign.objects.filter(slug=slug).first()
            if found:
                return found.spec
        except DatabaseError:
            pass  # no database yet: fall back to the shipped preset
        path = Path(settings.PRESET_DIR) / f"{slug}.yaml"
        if not path.exists():
            raise CommandError(f"未找到征集活动 {slug}（数据库中没有，presets/ 中也没有 {slug}.yaml）")
        try:
            return read_preset(path)
        except PresetError as exc:
            raise CommandError(str(exc)) from exc
