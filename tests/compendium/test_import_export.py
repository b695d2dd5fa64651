"""Import UI and CLI (preview before confirm, nothing written before), export views and CLI, permissions."""

import io
import json
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from docx import Document

from jinxuan.accounts.models import Role
from jinxuan.audit.models import AuditEvent
from jinxuan.library.models import Case
from tests.helpers.seeds import SEED_003_CASES

from . import pdftools

SMALL = "\n".join([
    "一等奖",
    "普惠信贷数字化风控平台",
    "申报单位：某某银行股份有限公司",
    "本项目服务小微企业 3 万户，放款超 120 亿元。",
    "图1 平台架构",
    "优秀奖 – 技术创新奖",
    "智能投顾服务",
    "智能投顾覆盖客户 50 万人。",
]) + "\n"


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def gz(campaigns):
    return campaigns["gz-dianshu-2025"]


@pytest.fixture
def organiser(make_user, gz):
    return make_user("org-gz", Role.ORGANISER, campaign=gz)


@pytest.fixture
def other_organiser(make_user, campaigns):
    return make_user("org-top10", Role.ORGANISER, campaign=campaigns["top10-2025"])


def _cli(*args) -> str:
    out = io.StringIO()
    call_command("library", *args, stdout=out)
    return out.getvalue()


def _pending_dirs() -> list[Path]:
    from jinxuan.library.compendium_views import pending_tokens

    return [Path(token) for token in pending_tokens()]


# ---------------------------------------------------------------- CLI


@pytest.mark.django_db
def test_cli_dry_run_prints_cases_and_writes_nothing(gz, seed003_bytes, tmp_path):
    src = tmp_path / "003.txt"
    src.write_bytes(seed003_bytes)
    out = json.loads(_cli("import", str(src), "--campaign", gz.slug, "--dry-run"))
    assert out["dry_run"] is True
    assert [(c["line"], c["track"], c["tier"], c["title"]) for c in out["cases"]] == SEED_003_CASES
    assert [c["special"] for c in out["cases"]] == ["", "", "", ""]
    assert out["cases"][0]["captions"] == [
        "图1 “数据驱动、五位一体、闭环运行”融资架构体系", "图 2 以数据为核心的企业融资服务新模式"]
    assert out["problems"] == []
    assert Case.objects.count() == 0


@pytest.mark.django_db
def test_cli_import_then_reimport_is_idempotent(gz, seed003_bytes, tmp_path):
    src = tmp_path / "003.txt"
    src.write_bytes(seed003_bytes.decode("utf-8").encode("gb18030"))
    out = json.loads(_cli("import", str(src), "--campaign", gz.slug, "--track", "不会使用"))
    assert [c["action"] for c in out["cases"]] == ["created"] * 4
    rows = list(Case.objects.filter(campaign=gz).order_by("position"))
    assert [(r.track, r.tier, r.title) for r in rows] == [(t, tier, title) for _, t, tier, title in SEED_003_CASES]
    assert rows[0].captions[1] == "图 2 以数据为核心的企业融资服务新模式"
    assert all(r.source == Case.IMPORTED and r.year == gz.year for r in rows)
    assert AuditEvent.objects.filter(action="library.import").count() == 4
    again = json.loads(_cli("import", str(src), "--campaign", gz.slug))
    assert [c["action"] for c in again["cases"]] == ["updated"] * 4
    assert Case.objects.filter(campaign=gz).count() == 4


@pytest.mark.django_db
def test_cli_track_fills_cases_without_track_heading_and_reports_problems(gz, tmp_path):
    src = tmp_path / "small.txt"
    src.write_text("前言一段。\n" + SMALL, encoding="utf-8")
    out = json.loads(_cli("import", str(src), "--campaign", gz.slug, "--track", "金融机构科技创新应用案例"))
    assert [(c["track"], c["tier"], c["special"], c["title"]) for c in out["cases"]] == [
        ("金融机构科技创新应用案例", "一等奖", "", "普惠信贷数字化风控平台"),
        ("金融机构科技创新应用案例", "优秀奖", "技术创新奖", "智能投顾服务"),
    ]
    assert out["problems"] == [{"line": 1, "text": "前言一段。", "message": out["problems"][0]["message"]}]
    case = Case.objects.get(campaign=gz, title="普惠信贷数字化风控平台")
    assert case.organisations == ["某某银行股份有限公司"] and case.captions == ["图1 平台架构"]


@pytest.mark.django_db
def test_cli_errors_are_chinese(gz, tmp_path):
    with pytest.raises(CommandError, match="文件不存在"):
        _cli("import", str(tmp_path / "none.txt"), "--campaign", gz.slug)
    with pytest.raises(CommandError, match="没有标识为"):
        _cli("import", str(tmp_path / "none.txt"), "--campaign", "no-such")
    empty = tmp_path / "bad.txt"
    empty.write_text("没有奖项标题的一段文字。\n", encoding="utf-8")
    with pytest.raises(CommandError, match="没有可导入的案例"):
        _cli("import", str(empty), "--campaign", gz.slug)
    assert Case.objects.count() == 0


@pytest.mark.django_db
def test_cli_export_docx_and_pdf(gz, seed003_bytes, tmp_path):
    src = tmp_path / "003.txt"
    src.write_bytes(seed003_bytes)
    _cli("import", str(src), "--campaign", gz.slug)
    docx_path, pdf_path = tmp_path / "out.docx", tmp_path / "out.pdf"
    info = json.loads(_cli("export", "--campaign", gz.slug, "--format", "docx", "-o", str(docx_path)))
    assert info["cases"] == 4
    doc = Document(str(docx_path))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["金融服务赛道", "一等奖", SEED_003_CASES[0][3], "二等奖", *[c[3] for c in SEED_003_CASES[1:]]]
    assert doc.paragraphs[6].text == "2025年“点数成金”数字金融创新实践案例集"
    _cli("export", "--campaign", gz.slug, "--format", "pdf", "-o", str(pdf_path))
    pdftools.require_poppler()
    text = pdftools.squash(pdftools.text(pdf_path))
    sequence = ["金融服务赛道", "一等奖", SEED_003_CASES[0][3], "二等奖", *[c[3] for c in SEED_003_CASES[1:]]]
    pos = 0
    for _ in range(2):  # the table of contents, then the body
        for needle in sequence:
            found = text.find(pdftools.squash(needle), pos)
            assert found >= 0, needle
            pos = found + 1
    assert "广州市数字金融协会" in text
    # key figures come from the library's quantified results
    assert "超463亿元" in text


# ---------------------------------------------------------------- import UI


@pytest.mark.django_db
def test_upload_preview_confirm(client, gz, organiser, seed003_bytes):
    client.force_login(organiser)
    url = f"/manage/library/{gz.slug}/import/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"file": SimpleUploadedFile("003.txt", seed003_bytes), "track": ""})
    assert response.status_code == 302
    token = response["Location"].rstrip("/").split("/")[-1]
    assert [d.name for d in _pending_dirs()] == [token]
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert '<strong id="case-count">4</strong>' in html
    for _, _, _, title in SEED_003_CASES:
        assert title in html
    assert html.index("一等奖") < html.index(SEED_003_CASES[0][3]) < html.index("二等奖") < html.index(
        SEED_003_CASES[1][3])
    assert "没有发现问题" in html
    assert Case.objects.count() == 0  # nothing written before confirm
    done = client.post(f"{url}{token}/confirm/")
    assert done.status_code == 302 and done["Location"] == f"/manage/library/{gz.slug}/compendium/"
    assert list(Case.objects.filter(campaign=gz).order_by("position").values_list("title", flat=True)) == [
        c[3] for c in SEED_003_CASES]
    assert _pending_dirs() == []
    overview = client.get(done["Location"]).content.decode()
    assert "已导入 4 个案例（新增 4 个，更新 0 个）" in overview
    assert SEED_003_CASES[3][3] in overview
    assert client.post(f"{url}{token}/confirm/").status_code == 404  # the upload is gone


@pytest.mark.django_db
def test_preview_lists_problems_with_lines_and_docx_upload_works(client, gz, organiser):
    client.force_login(organiser)
    doc = Document()
    for line in ["封面文字", *SMALL.splitlines()]:
        doc.add_paragraph(line)
    buf = io.BytesIO()
    doc.save(buf)
    response = client.post(f"/manage/library/{gz.slug}/import/",
                           {"file": SimpleUploadedFile("案例集.docx", buf.getvalue()), "track": "数字金融综合创新案例"})
    page = client.get(response["Location"]).content.decode()
    assert '<strong id="case-count">2</strong>' in page
    assert "第 1 段" in page and "封面文字" in page and "奖项标题" in page
    assert "数字金融综合创新案例 · 优秀奖 – 技术创新奖" in page
    token = response["Location"].rstrip("/").split("/")[-1]
    discard = client.post(f"/manage/library/{gz.slug}/import/{token}/discard/")
    assert discard.status_code == 302 and _pending_dirs() == []
    assert Case.objects.count() == 0


@pytest.mark.django_db
def test_upload_errors_are_shown_and_nothing_is_kept(client, gz, organiser):
    client.force_login(organiser)
    url = f"/manage/library/{gz.slug}/import/"
    response = client.post(url, {"file": SimpleUploadedFile("a.doc", b"\xd0\xcf\x11\xe0 legacy")})
    assert response.status_code == 400 and "另存为 .docx" in response.content.decode()
    response = client.post(url, {})
    assert response.status_code == 400 and "请选择" in response.content.decode()
    assert _pending_dirs() == []


@pytest.mark.django_db
def test_upload_token_is_bound_to_user_and_campaign(client, gz, organiser, make_user, other_organiser):
    client.force_login(organiser)
    response = client.post(f"/manage/library/{gz.slug}/import/",
                           {"file": SimpleUploadedFile("s.txt", SMALL.encode())})
    preview = response["Location"]
    token = preview.rstrip("/").split("/")[-1]
    colleague = make_user("org-gz-2", Role.ORGANISER, campaign=gz)
    client.force_login(colleague)
    assert client.get(preview).status_code == 404
    assert client.post(f"{preview}confirm/").status_code == 404
    client.force_login(other_organiser)
    assert client.get(f"/manage/library/{gz.slug}/import/").status_code == 404
    assert client.get(f"/manage/library/top10-2025/import/{token}/").status_code == 404
    assert client.get("/manage/library/top10-2025/import/../../etc/").status_code == 404
    assert Case.objects.count() == 0


# ---------------------------------------------------------------- export views


@pytest.mark.django_db
def test_export_views_for_organiser_only(client, gz, organiser, other_organiser, make_user):
    from jinxuan.library import services

    services.add_historical_case(campaign=gz, title="普惠信贷数字化风控平台", track="金融服务赛道", tier="一等奖",
                                 paragraphs=["本项目服务小微企业 3 万户，放款超 120 亿元。"],
                                 organisations=["某某银行"])
    docx_url, pdf_url = f"/manage/library/{gz.slug}/compendium.docx", f"/manage/library/{gz.slug}/compendium.pdf"
    assert client.get(docx_url).status_code == 302  # anonymous → login
    client.force_login(other_organiser)
    assert client.get(docx_url).status_code == 404
    assert client.get(pdf_url).status_code == 404
    client.force_login(make_user("expert-gz", Role.EXPERT, campaign=gz))
    assert client.get(f"/manage/library/{gz.slug}/compendium/").status_code == 404
    client.force_login(organiser)
    response = client.get(docx_url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert "attachment" in response["Content-Disposition"] and ".docx" in response["Content-Disposition"]
    doc = Document(io.BytesIO(response.content))
    assert "普惠信贷数字化风控平台" in [p.text for p in doc.paragraphs if p.style.name == "Heading 3"]
    response = client.get(pdf_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    page = client.get(f"/manage/library/{gz.slug}/compendium/").content.decode()
    assert "普惠信贷数字化风控平台" in page and "下载 PDF 版" in page


def test_the_compendium_page_lists_the_first_cases_of_each_group(client, gz, organiser, monkeypatch):
    from jinxuan.library import compendium_views

    monkeypatch.setattr(compendium_views, "GROUP_SHOWN", 2)
    for i in range(3):
        Case.objects.create(campaign=gz, year=gz.year, title=f"分组案例{i}", organisations=["某银行"], track="金融科技",
                            tier="一等奖", position=i, paragraphs=["正文。"])
    client.force_login(organiser)
    page = client.get(f"/manage/library/{gz.slug}/compendium/").content.decode()
    assert "共 3 个案例" in page and "分组案例0" in page and "分组案例1" in page and "分组案例2" not in page
    assert "另有 1 个见" in page and f"/manage/library/{gz.slug}/cases/" in page
