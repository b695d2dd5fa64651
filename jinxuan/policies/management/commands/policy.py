"""`jinxuan policy import FILE --slug SLUG` / `jinxuan policy list`: policy documents for alignment."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from jinxuan.command_files import read_file_bytes
from jinxuan.policies.models import Clause, Policy
from jinxuan.textmining.policy import parse_policy


def read_text(path: str) -> str:
    data = read_file_bytes(path)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CommandError(f"文件不是 UTF-8 或 GB18030 编码的文本：{path}")  # pragma: no cover - gb18030 decodes most bytes


def import_policy(text: str, slug: str):
    """Create or replace the policy `slug` from `text`; returns (Policy row, parsed policy, created)."""
    parsed = parse_policy(text)
    if not parsed.clauses:
        raise CommandError("文本中没有找到编号条款（如“（一）……。”），未导入")
    with transaction.atomic():
        row, created = Policy.objects.update_or_create(
            slug=slug,
            defaults={"title": parsed.title[:300] or slug, "source_text": text, "imported_at": timezone.now()},
        )
        row.clauses.all().delete()
        rows = [(ch, c) for ch in parsed.chapters for c in ch.clauses]
        Clause.objects.bulk_create([
            Clause(policy=row, chapter_number=ch.number, chapter_title=ch.title[:200], number=c.number,
                   ordinal=c.ordinal, position=i, title=c.title[:200], body=c.body)
            for i, (ch, c) in enumerate(rows, start=1)
        ])
    return row, parsed, created


class Command(BaseCommand):
    help = "政策文件：import 从文本导入并拆分条款（可重复导入）；list 列出已导入的政策"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="子命令")
        p = sub.add_parser("import", help="导入政策文本（UTF-8），按“一、”章与“（一）”条拆分")
        p.add_argument("file", metavar="FILE")
        p.add_argument("--slug", required=True, help="政策标识，如 sz-digital-finance-2025")
        sub.add_parser("list", help="列出已导入的政策及条款数")

    def handle(self, *args, action, **options):
        if action == "list":
            rows = [
                {"slug": p.slug, "title": p.title, "clauses": p.clauses.count(),
                 "imported_at": p.imported_at.isoformat()}
                for p in Policy.objects.all()
            ]
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        text = read_text(options["file"])
        row, parsed, created = import_policy(text, options["slug"])
        summary = {
            "slug": row.slug,
            "title": row.title,
            "created": created,
            "clauses": len(parsed.clauses),
            "chapters": [
                {"number": ch.number, "title": ch.title, "clauses": len(ch.clauses)} for ch in parsed.chapters
            ],
        }
        self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
