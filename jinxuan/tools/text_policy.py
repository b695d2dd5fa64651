"""`jinxuan text policy --policy SLUG|FILE < case.txt`: the policy clauses a case text matches best."""

from pathlib import Path

from django.core.management.base import CommandError
from django.db import DatabaseError

from jinxuan.policies.management.commands.policy import read_text
from jinxuan.policies.models import Policy
from jinxuan.textmining.policy import align_json, parse_policy

NAME = "policy"
HELP = "从标准输入读取案例文本，按相关度列出政策条款（已导入的政策标识或政策文本文件路径）"


def add_arguments(parser):
    parser.add_argument("--policy", required=True, metavar="SLUG", help="已导入的政策标识，或政策文本文件的路径")
    parser.add_argument("--top", type=int, default=5, help="列出的条款数（默认 5）")


def load_policy(ref: str):
    """(title, parsed policy) from the policies app, else from a text file at `ref`."""
    try:
        row = Policy.objects.filter(slug=ref).first()
    except (DatabaseError, RuntimeError, LookupError, ImportError):
        row = None
    if row is not None:
        return row.parsed()
    path = Path(ref)
    if not path.is_file():
        raise CommandError(f"找不到政策：{ref}（未导入，也不是文本文件路径）")

    policy = parse_policy(read_text(ref))
    if not policy.clauses:
        raise CommandError(f"文本中没有找到编号条款（如“（一）……。”）：{ref}")
    return policy


def run(options, read_stdin):
    policy = load_policy(options["policy"])
    text = read_stdin()
    if not text.strip():
        raise CommandError("标准输入为空：请提供案例文本")
    if options["top"] < 1:
        raise CommandError("--top 至少为 1")
    return {"policy": policy.title, "clauses": align_json(text, policy, top=options["top"])}
