"""Django-free. `jinxuan text metrics < case.txt`: quantified results (金额、百分比、数量、时长) found in the text."""

from jinxuan.textmining.metrics import extract, to_json

NAME = "metrics"
HELP = "从标准输入读取 UTF-8 文本，抽取量化成果（金额、百分比、倍数、数量、时长），输出 JSON：count 数量、metrics 明细"


def add_arguments(parser):
    """No options: the text comes from standard input."""


def run(options, read_stdin):
    metrics = to_json(extract(read_stdin()))
    return {"count": len(metrics), "metrics": metrics}
