import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from jinxuan.campaigns.loader import after_load, load_preset
from jinxuan.campaigns.models import Campaign
from jinxuan.campaigns.preset_io import PresetError, read_preset


class Command(BaseCommand):
    help = "征集活动预设：validate 校验 YAML；load 校验并载入数据库"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in (("validate", "校验预设文件"), ("load", "校验并载入预设")):
            p = sub.add_parser(name, help=text)
            p.add_argument("files", nargs="+", metavar="FILE")
        sub.add_parser("list", help="列出随附的预设文件")

    def handle(self, *args, action, **options):
        if action == "list":
            for path in sorted(Path(settings.PRESET_DIR).glob("*.yaml")):
                self.stdout.write(str(path))
            return
        failed = 0
        for file in options["files"]:
            try:
                preset = read_preset(file)
            except PresetError as exc:
                failed += 1
                for problem in exc.problems:
                    self.stderr.write(str(problem))
                continue
            if action == "validate":
                summary = {"file": file, "slug": preset.slug, "valid": True, "tracks": len(preset.tracks),
                           "fields": sum(1 for _ in preset.form.fields()), "stages": [s.kind for s in preset.stages]}
                self.stdout.write(json.dumps(summary, ensure_ascii=False))
            else:
                previous = Campaign.objects.filter(slug=preset.slug).values_list("preset_hash", flat=True).first()
                try:
                    campaign, created = load_preset(preset, file)
                except PresetError as exc:
                    failed += 1
                    for problem in exc.problems:
                        self.stderr.write(str(problem))
                    continue
                verb = "已创建" if created else "已更新"
                self.stdout.write(f"{verb}征集活动 {campaign.slug}（{campaign.name}）")
                for line in after_load(campaign, previous):
                    self.stdout.write(line)
        if failed:
            raise CommandError(f"{failed} 个预设文件有错误")
