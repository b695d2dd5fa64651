"""The OOXML package checks and the storage name added to jinxuan.applicants.uploads for the corpus."""

import random

from jinxuan.applicants.uploads import MAX_OOXML_PART, inspect_upload, safe_filename, storage_name
from jinxuan.campaigns.schema import Attachment

from . import corpus

RULE = Attachment(key="proposal", name="方案书", formats=["pdf", "docx", "xlsx"], max_size_kb=20480)


def _with_relationship(rel: str) -> bytes:
    parts = corpus.docx_parts("rels")
    rels = parts["word/_rels/document.xml.rels"].decode()
    parts["word/_rels/document.xml.rels"] = rels.replace("</Relationships>", rel + "</Relationships>").encode()
    return corpus.zip_of(parts)


def test_an_external_hyperlink_is_an_ordinary_document():
    data = _with_relationship(f'<Relationship Id="rIdH1" Type="{corpus.OFFICE_REL}/hyperlink" '
                              'Target="https://www.gov.cn/" TargetMode="External"/>')
    assert inspect_upload("方案书.docx", data, RULE).ok


def test_an_image_fetched_from_a_unc_path_is_refused():
    data = _with_relationship(f"<Relationship Id='rIdI1' Type='{corpus.OFFICE_REL}/image' "
                              "Target='file://///attacker.example/x.png' TargetMode='External'/>")
    result = inspect_upload("方案书.docx", data, RULE)
    assert not result.ok and "引用外部资源" in result.problems[0] and "（image）" in result.problems[0]


def test_a_macro_enabled_content_type_is_refused_without_a_vba_part():
    parts = corpus.docx_parts("types")
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml")
    assert inspect_upload("方案书.docx", corpus.zip_of(parts), RULE).problems == ["方案书：文件含有宏代码，已拒绝"]


def test_an_oversized_relationship_part_is_not_read():
    parts = corpus.docx_parts("big")
    noise = random.Random(1).randbytes(MAX_OOXML_PART // 2).hex().encode()  # incompressible: no ratio alarm
    parts["word/_rels/document.xml.rels"] += b"<!--" + noise + b"-->"
    result = inspect_upload("方案书.docx", corpus.zip_of(parts), RULE)
    assert result.problems == ["方案书：文档结构部件过大，无法检查，已拒绝"]


def test_storage_name_is_short_ascii_whatever_the_upload_was_called():
    data = corpus.pdf("storage")
    result = inspect_upload("案" * 300 + ".pdf", data, RULE)
    assert result.ok and result.safe_name == safe_filename("案" * 300 + ".pdf") and len(result.safe_name) == 120
    name = storage_name(result)
    assert name == f"{result.sha256[:24]}.pdf" and name.isascii() and len(name) < 40
