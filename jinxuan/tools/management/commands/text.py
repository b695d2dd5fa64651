"""`jinxuan text <subcommand>`: text tools for the command line.

    jinxuan text count < file.txt    Word-compatible 字数 of UTF-8 text on stdin, as JSON
"""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from jinxuan.textmining.wordcount import count_detail


def _read_stdin() -> str:
    stream = sys.stdin
    buffer = getattr(stream, "buffer", None)
    if buffer is None:  # already text (tests substitute io.StringIO)
        return stream.read()
    try:
        return buffer.read().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CommandError(f"标准输入不是有效的 UTF-8 文本（第 {exc.start + 1} 个字节有误）") from exc


class Command(BaseCommand):
    help = "文本工具：count 按 Word 规则统计字数"
    requires_system_checks = []  # pure text processing: no database, URLs or models involved

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="子命令")
        sub.add_parser(
            "count",
            help="从标准输入读取 UTF-8 文本，输出 JSON：count 字数、cjk 汉字等、punctuation 全角标点、latin_runs 西文词",
        )

    def handle(self, *args, action, **options):
        if action == "count":
            detail = count_detail(_read_stdin())
            self.stdout.write(json.dumps(detail, ensure_ascii=False))
            return
        raise CommandError(f"未知的子命令：{action}")  # pragma: no cover - argparse rejects it first
