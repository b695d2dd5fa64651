"""The public record of a draw and its independent check. `verify_document` has no Django import, so the CLI and
anyone with the JSON can re-check a draw offline."""

from __future__ import annotations

from collections.abc import Mapping

from jinxuan.outcomes import draw as D

FORMAT = "jinxuan-inspection-draw-v1"

PROCEDURE = [
    "承诺：抽取前，主办方选定一个保密的随机种子，只公布承诺值及公布时间。"
    "承诺值 = SHA-256(UTF-8(\"jinxuan-draw-v1:\" + 种子)) 的十六进制小写形式；种子按原样计算，不去空格、不改大小写。",
    "冻结名单：路演答辩晋级名单按名次排列为 [[申报编号,\"赛道标识\"],...] 的 JSON 数组，"
    "不含任何空白，整数编号写作 JSON 数字，中文按原字符以 UTF-8 编码；"
    "名单摘要 = SHA-256(该 JSON 文本)。",
    "揭示与抽取：主办方公布种子，任何人可验证其与承诺值一致。每个候选案例的抽签值 = "
    "SHA-256(UTF-8(种子 + \"|\" + 名单摘要 + \"|\" + 申报编号的十进制形式))，取十六进制小写；"
    "抽签值按字符串比较（即数值大小）。",
    "抽取数量：按固定数量，或按比例 × 候选数向上取整（比例按其十进制写法精确计算，如 0.3 即 3/10）。",
    "选取：不分层时取抽签值最小的若干个；按赛道分层时，各赛道名额 = 抽取数量 × 该赛道候选数 ÷ 候选总数，"
    "先取整数部分，剩余名额按小数部分从大到小逐一分配（小数部分相同时赛道标识较小者优先），"
    "各赛道内取抽签值最小者。结果按名次顺序公布，并列出每个候选案例的抽签值。",
]


def ranked_pairs(ranking) -> list[tuple[int | str, str]]:
    return [(row["application_id"], row["track"]) for row in sorted(ranking, key=lambda r: r["position"])]


def verify_document(doc: Mapping) -> list[str]:
    """Every way `doc` (the published JSON) fails to reproduce; empty when the draw checks out."""
    if not isinstance(doc, Mapping) or doc.get("format") != FORMAT:
        return [f"文件格式不是 {FORMAT}"]
    if not doc.get("seed"):
        return ["尚未揭示随机种子（抽取尚未进行），只能核对承诺值及其公布时间"]
    problems = []
    try:
        if not D.verify(doc["commitment"], doc["seed"]):
            problems.append("随机种子与承诺值不符")
        pairs = ranked_pairs(doc["ranking"])
        digest = D.ranking_digest(pairs)
        if digest != doc["ranking_digest"]:
            problems.append(f"名单摘要不符：按公布的名单计算为 {digest}，文件中为 {doc['ranking_digest']}")
        if doc.get("sample_count") is not None:
            result = D.draw(doc["seed"], pairs, size=int(doc["sample_count"]), stratify=bool(doc["stratified"]))
        else:
            result = D.draw(doc["seed"], pairs, fraction=str(doc["sample_fraction"]), stratify=bool(doc["stratified"]))
    except (KeyError, TypeError, ValueError) as exc:
        return problems + [f"无法重算：{exc}"]
    if result.size != doc.get("size"):
        problems.append(f"抽取数量不符：重算为 {result.size}，文件中为 {doc.get('size')}")
    if list(result.selected) != list(doc.get("selected") or []):
        problems.append(f"抽中名单不符：重算为 {list(result.selected)}，文件中为 {doc.get('selected')}")
    if [[i, k] for i, k in result.keys.items()] != [list(pair) for pair in doc.get("keys") or []]:
        problems.append("抽签值与重算结果不符")
    if (dict(result.allocation) if result.allocation is not None else None) != doc.get("allocation"):
        problems.append(f"各赛道名额不符：重算为 {result.allocation}，文件中为 {doc.get('allocation')}")
    return problems
