"""`jinxuan text <subcommand>`: text tools for the command line, JSON out.

    jinxuan text count < file.txt    Word-compatible 字数 of UTF-8 text on stdin

Further subcommands live in modules listed in SUBCOMMANDS; each defines NAME, HELP,
`add_arguments(parser)` and `run(options, read_stdin) -> JSON-able`.
"""

import importlib
import json
import sys

from django.core.management.base import BaseCommand, CommandError

from jinxuan.textmining.wordcount import count_detail

SUBCOMMANDS = ["jinxuan.tools.text_metrics", "jinxuan.tools.text_similar", "jinxuan.tools.text_tags",
               "jinxuan.tools.text_policy"]


def read_stdin() -> str:
    stream = sys.stdin
    buffer = getattr(stream, "buffer", None)
    if buffer is None:  # already text (tests substitute io.StringIO)
        return stream.read()
    try:
        return buffer.read().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CommandError(f"标准输入不是有效的 UTF-8 文本（第 {exc.start + 1} 个字节有误）") from exc


def _plugins():
    found = []
    for name in SUBCOMMANDS:
        try:
            found.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return found


class Command(BaseCommand):
    help = "文本工具：count 按 Word 规则统计字数；metrics 量化成果；similar 近似重复；tags 标签建议；policy 政策对标"
    requires_system_checks = []  # pure text processing: no database, URLs or models involved

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="子命令")
        sub.add_parser(
            "count",
            help="从标准输入读取 UTF-8 文本，输出 JSON：count 字数、cjk 汉字等、punctuation 全角标点、latin_runs 西文词",
        )
        for plugin in _plugins():
            plugin.add_arguments(sub.add_parser(plugin.NAME, help=plugin.HELP))

    def handle(self, *args, action, **options):
        if action == "count":
            self.stdout.write(json.dumps(count_detail(read_stdin()), ensure_ascii=False))
            return
        for plugin in _plugins():
            if plugin.NAME == action:
                self.stdout.write(json.dumps(plugin.run(options, read_stdin), ensure_ascii=False, indent=2))
                return
        raise CommandError(f"未知的子命令：{action}")  # pragma: no cover - argparse rejects it first
