"""`jinxuan text tags --campaign SLUG < case.txt`: track, domain and technology suggestions."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.db import DatabaseError

from jinxuan.campaigns.models import Campaign
from jinxuan.campaigns.preset_io import PresetError, read_preset
from jinxuan.textmining.tags import suggest

NAME = "tags"
HELP = "从标准输入读取申报文本，按征集活动的申报方向、应用领域与技术选项给出标签建议（JSON）"


def add_arguments(parser):
    parser.add_argument("--campaign", required=True, metavar="SLUG", help="征集活动标识（数据库中的活动或 presets/SLUG.yaml）")


def load_preset(slug: str) -> dict:
    """The preset of the campaign in the database, else presets/SLUG.yaml."""
    try:
        campaign = Campaign.objects.filter(slug=slug).first()
    except (DatabaseError, RuntimeError):
        campaign = None
    if campaign is not None:
        return campaign.preset
    path = Path(settings.PRESET_DIR) / f"{slug}.yaml"
    if not path.is_file():
        raise CommandError(f"找不到征集活动：{slug}（数据库中没有，{path} 也不存在）")

    try:
        return read_preset(path).model_dump(mode="json")
    except PresetError as exc:
        raise CommandError(f"预设文件有误：{path}：{exc}") from exc


def run(options, read_stdin):
    preset = load_preset(options["campaign"])
    text = read_stdin()
    if not text.strip():
        raise CommandError("标准输入为空：请提供申报文本")
    return {"campaign": options["campaign"], **suggest(text, preset)}
