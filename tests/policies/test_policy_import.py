import io
import json
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
POLICY_FILE = SEEDS / "004_23a57d793f559b74.txt"

pytestmark = pytest.mark.skipif(not apps.is_installed("jinxuan.policies"), reason="policies app not installed")


def run(*args, stdin=None, monkeypatch=None):
    out = io.StringIO()
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def seed_file():
    if not POLICY_FILE.exists():
        pytest.skip("seed 004 absent")
    return str(POLICY_FILE)


def test_import_seed_policy_and_reimport(db, seed_file):
    from jinxuan.policies.models import Clause, Policy

    summary = json.loads(run("policy", "import", seed_file, "--slug", "sz-digital-finance"))
    assert summary["clauses"] == 18 and summary["created"] is True
    assert [c["clauses"] for c in summary["chapters"]] == [0, 3, 6, 3, 2, 4]
    policy = Policy.objects.get(slug="sz-digital-finance")
    assert policy.title.endswith("实施意见")
    assert policy.clauses.count() == 18
    six = policy.clauses.get(ordinal=6)
    assert (six.number, six.title, six.chapter_number) == ("（六）", "大力发展数字普惠金融", "三")
    ids_before = Clause.objects.count()

    again = json.loads(run("policy", "import", seed_file, "--slug", "sz-digital-finance"))
    assert again["created"] is False and again["clauses"] == 18
    assert Policy.objects.count() == 1 and Clause.objects.count() == ids_before == 18

    listing = json.loads(run("policy", "list"))
    assert listing[0]["slug"] == "sz-digital-finance" and listing[0]["clauses"] == 18

    parsed = policy.parsed()
    assert [c.ordinal for c in parsed.clauses] == list(range(1, 19))
    assert [ch.number for ch in parsed.chapters] == ["二", "三", "四", "五", "六"]


def test_import_errors_in_chinese(db, tmp_path):
    with pytest.raises(CommandError, match="文件不存在"):
        run("policy", "import", str(tmp_path / "missing.txt"), "--slug", "x")
    empty = tmp_path / "plain.txt"
    empty.write_text("这是一段没有编号条款的文字。", encoding="utf-8")
    with pytest.raises(CommandError, match="没有找到编号条款"):
        run("policy", "import", str(empty), "--slug", "x")
    with pytest.raises(CommandError, match="目录"):
        run("policy", "import", str(tmp_path), "--slug", "x")


def test_text_policy_plugin_uses_db_or_file(db, seed_file, monkeypatch):
    case = "银行依托地方征信平台为小微企业和个体工商户提供线上信用贷款，服务无贷户。"
    from_file = json.loads(run("text", "policy", "--policy", seed_file, "--top", "3", stdin=case,
                               monkeypatch=monkeypatch))
    assert from_file["clauses"][0]["number"] == "（六）"
    run("policy", "import", seed_file, "--slug", "sz")
    from_db = json.loads(run("text", "policy", "--policy", "sz", "--top", "3", stdin=case, monkeypatch=monkeypatch))
    assert from_db["clauses"] == from_file["clauses"]
    with pytest.raises(CommandError, match="找不到政策"):
        run("text", "policy", "--policy", "nope", stdin=case, monkeypatch=monkeypatch)


def test_text_tags_plugin_from_preset_file_and_db(db, monkeypatch):
    text = "我行基于区块链搭建供应链金融平台，为上下游小微企业提供应收账款融资。"
    out = json.loads(run("text", "tags", "--campaign", "gz-dianshu-2025", stdin=text, monkeypatch=monkeypatch))
    assert out["technologies"][0]["label"] == "区块链"
    assert "供应链金融" in [d["label"] for d in out["domains"][:3]]
    with pytest.raises(CommandError, match="找不到征集活动"):
        run("text", "tags", "--campaign", "nope", stdin=text, monkeypatch=monkeypatch)
    from jinxuan.demo.population import load_presets

    load_presets()
    again = json.loads(run("text", "tags", "--campaign", "gz-dianshu-2025", stdin=text, monkeypatch=monkeypatch))
    assert again["technologies"] == out["technologies"]


def test_import_numbering_restarting_per_chapter(db, tmp_path):
    from jinxuan.policies.models import Policy

    file = tmp_path / "restart.txt"
    file.write_text("某某实施方案\n一、总体要求\n（一）目标一。正文。\n二、重点任务\n（一）任务一。正文。\n（二）任务二。正文。\n",
                    encoding="utf-8")
    summary = json.loads(run("policy", "import", str(file), "--slug", "restart"))
    assert summary["clauses"] == 3
    parsed = Policy.objects.get(slug="restart").parsed()
    assert [(ch.number, [c.title for c in ch.clauses]) for ch in parsed.chapters] == [
        ("一", ["目标一"]), ("二", ["任务一", "任务二"])]
