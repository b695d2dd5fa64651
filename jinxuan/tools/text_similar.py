"""`jinxuan text similar PATH [--against PATH] [--threshold X]`: near-duplicate pairs with aligned passages."""

import json
from pathlib import Path

from django.core.management.base import CommandError

from jinxuan.textmining import similarity as S

NAME = "similar"
HELP = "近似重复检测：PATH 为 .txt 文件夹（编号取文件名）或 JSON Lines 文件（每行 {\"id\", \"text\"}）；输出 JSON 的 pairs"


def add_arguments(parser):
    parser.add_argument("path", metavar="PATH", help="待查文本：.txt 文件夹或 JSON Lines 文件")
    parser.add_argument("--against", metavar="PATH", default=None, help="比对库（格式同 PATH）；缺省时在 PATH 内两两比对")
    parser.add_argument("--threshold", type=float, default=S.COVERAGE_FLAG,
                        help=f"判定阈值（重合覆盖率，默认 {S.COVERAGE_FLAG}）")


def load_texts(path: str) -> dict:
    p = Path(path)
    if not p.exists():
        raise CommandError(f"找不到路径：{path}")
    texts = {}
    try:
        if p.is_dir():
            for f in sorted(p.glob("*.txt")):
                texts[f.stem] = f.read_text(encoding="utf-8-sig")
            if not texts:
                raise CommandError(f"文件夹中没有 .txt 文件：{path}")
            return texts
        for n, line in enumerate(p.read_text(encoding="utf-8-sig").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                texts[str(row["id"])] = str(row["text"])
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise CommandError(f"{path} 第 {n} 行不是含 id 和 text 的 JSON 对象") from exc
    except UnicodeDecodeError as exc:
        raise CommandError(f"文件不是有效的 UTF-8 文本：{path}") from exc
    except OSError as exc:
        raise CommandError(f"无法读取：{path}（{exc.strerror}）") from exc
    if not texts:
        raise CommandError(f"没有读到任何文本：{path}")
    return texts


def run(options, read_stdin):
    new = load_texts(options["path"])
    corpus = load_texts(options["against"]) if options.get("against") else None
    threshold = options.get("threshold")
    if threshold is None:
        threshold = S.COVERAGE_FLAG
    if not 0 < threshold <= 1:
        raise CommandError("--threshold 须在 0 与 1 之间")
    pairs = S.find_duplicates(new, corpus, threshold=threshold)
    return {"pairs": [p.to_json() for p in pairs]}
