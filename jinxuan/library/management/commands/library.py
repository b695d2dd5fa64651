"""`jinxuan library import FILE --campaign SLUG [--track NAME] [--dry-run]` and
`jinxuan library export --campaign SLUG --format docx|pdf -o FILE`: compendiums in and out of the case library;
`jinxuan library reindex`: rewrite this host's search index from the database (a new host, a restored backup);
`jinxuan library follow`: keep this host's search index applying the library's changes (run beside the
application servers on every host)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jinxuan.campaigns.models import Campaign
from jinxuan.command_files import read_file_bytes
from jinxuan.compendium.parse import ParseError
from jinxuan.library import compendium_files, follow, search
from jinxuan.library import compendium_views as compendium


class Command(BaseCommand):
    help = "案例库：import 导入已发布的案例集（.txt/.docx）；export 导出活动的案例集（Word 或 PDF）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="子命令")
        p = sub.add_parser("import", help="导入案例集文件，输出导入结果（JSON）")
        p.add_argument("file", metavar="FILE", help=".txt（UTF-8 或 GB18030）或 .docx")
        p.add_argument("--campaign", required=True, help="征集活动标识（slug）")
        p.add_argument("--track", default="", help="文件中没有赛道标题时，案例归入的赛道名称")
        p.add_argument("--dry-run", action="store_true", help="只解析并输出结果，不写入")
        p = sub.add_parser("export", help="导出活动的案例集")
        p.add_argument("--campaign", required=True, help="征集活动标识（slug）")
        p.add_argument("--format", required=True, choices=["docx", "pdf"], help="docx 或 pdf")
        p.add_argument("-o", "--output", required=True, metavar="FILE", help="输出文件路径")
        sub.add_parser("reindex", help="按数据库重建案例库检索索引（新主机、恢复备份之后）")
        p = sub.add_parser("follow", help="持续应用案例库的变更到本机检索索引（每台应用主机运行一个）")
        p.add_argument("--interval", type=float, default=2.0, help="两次检查之间的秒数（默认 2）")
        p.add_argument("--once", action="store_true", help="只追赶一次，输出结果后退出")

    def handle(self, *args, action, **options):
        if action == "reindex":
            return self.reindex()
        if action == "follow":
            return self.follow(options["interval"], options["once"])

        campaign = Campaign.objects.filter(slug=options["campaign"]).first()
        if campaign is None:
            raise CommandError(f"没有标识为“{options['campaign']}”的征集活动")
        if action == "import":
            self.import_file(campaign, options["file"], options["track"], options["dry_run"])
        else:
            self.export(campaign, options["format"], options["output"])

    def import_file(self, campaign, path: str, track: str, dry_run: bool):
        file = Path(path)
        data = read_file_bytes(path)
        try:
            report = compendium.parse_upload(data, file.name, track)
        except ParseError as exc:
            raise CommandError(str(exc)) from exc
        if dry_run:
            out = compendium.report_json(report, existing=compendium.existing_titles(campaign, report))
        else:
            try:
                results = compendium.commit_import(campaign, report)
            except compendium.CompendiumImportError as exc:
                self.stdout.write(json.dumps(compendium.report_json(report), ensure_ascii=False, indent=2))
                raise CommandError(str(exc)) from exc
            out = compendium.report_json(report, results=results)
        out = {"campaign": campaign.slug, "file": str(file), "dry_run": dry_run, **out}
        self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))

    def export(self, campaign, fmt: str, output: str):
        content, _ = compendium_files.document(campaign, fmt)
        target = Path(output)
        try:
            target.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"无法写入：{output}（{exc.strerror}）") from exc
        self.stdout.write(json.dumps({"campaign": campaign.slug, "format": fmt, "output": str(target),
                                      "cases": compendium_files.case_count(campaign), "bytes": len(content)}, ensure_ascii=False))

    def reindex(self):
        def progress(done, total):
            self.stderr.write(f"\r已索引 {done}/{total} 个案例", ending="")

        n = search.rebuild(progress=progress)
        self.stderr.write("")
        self.stdout.write(json.dumps({"indexed": n}, ensure_ascii=False))

    def follow(self, interval: float, once: bool):
        if interval <= 0:
            raise CommandError("--interval 必须大于 0")
        if once:
            applied = follow.catch_up()
            lag = follow.lag()
            self.stdout.write(json.dumps({"applied": applied, "behind": lag.changes, "position": lag.position},
                                         ensure_ascii=False))
            return
        self.stderr.write(f"案例库检索索引：每 {interval:g} 秒应用新的变更（{follow.search_index.path()}）")
        follow.follow(interval)
