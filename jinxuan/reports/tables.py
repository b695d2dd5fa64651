"""Per-stage tables, the funnel and score distributions from stored stage results, with no Django import.

Input is plain data: the campaign's stages in order (`Stage`), each stage's stored run (`Run`: the JSON of
``StageResult.to_json()`` kept in ``pipeline.StageRun.result``), the applications by id (`AppInfo`) and each
stage's lifecycle (`Live`), which for an open stage may carry a preview: the result it would store if it closed now.

Rules:

* A stage uses its own run. An open stage with no run shows its preview (进行中; entries still awaiting a decision
  are pending). Any other stage with no run is 未开始 (or 进行中 with what it holds, when open).
* ``detail`` is flattened to columns generically (nested mappings → "a.b", lists of mappings keyed by their
  ``source`` / ``key``), so a new stage kind shows without code. Numbers stored as strings (Decimals) become
  numbers. Keys that could name a person (expert, judge, email …) are never shown.
* The "why" of a row is its reason plus up to four numbers of its detail not already in the reason.
"""

from __future__ import annotations

import fnmatch
import re
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy

from jinxuan.campaigns.param_labels import PARAM_LABELS
from jinxuan.campaigns.param_labels import VALUE_LABELS as PARAM_VALUES
from jinxuan.campaigns.stage_params import STAGE_KIND_LABELS
from jinxuan.pipeline.engine import implementation

NOT_STARTED = "未开始"
DONE = "已完成"
RUNNING = "进行中"
PROVISIONAL = "进行中（暂存结果）"

ADVANCED, ELIMINATED, PENDING = "advanced", "eliminated", "pending"
OUTCOME_LABELS = {ADVANCED: "晋级", ELIMINATED: "未晋级", PENDING: "待定"}

KEY_LABELS = {
    "n": "评审数", "mean": "平均分", "trimmed_mean": "截尾平均分", "median": "中位数", "calibrated": "校准分",
    "composite": "综合得分", "quota": "晋级名额", "direct_entry": "直接晋级资格", "advanced_by": "晋级方式",
    "tie_extra": "并列超出名额", "tie_break": "同分排序", "raw": "原始值", "normalised": "折算分", "weight": "权重",
    "max": "最高值", "missing": "无数据", "origin": "取值来源", "source": "来源阶段", "normalise": "折算方式",
    "submitted_at": "提交时间", "components": "", "state": "当前状态", "decision": "形式审核结论",
    "blocking": "阻断性问题", "warnings": "提示性问题", "overridden": "推翻的阻断项", "score": "得分", "rank": "名次",
    # kinds built elsewhere: labels only; their values are shown generically
    "scores": "评分", "dropped_high": "去掉最高分", "dropped_low": "去掉最低分", "mean_all": "全部评分平均分",
    "position": "出场顺序", "aggregate": "汇总方式", "drawn": "抽中考察", "verdict": "考察结论",
    "verdict_reason": "考察说明", "disqualified": "取消资格", "backfilled_for": "递补对象", "from_rank": "原名次",
    "removed_by": "移出原因",
}
VALUE_LABELS = {
    "advanced_by": {"quota": "比例内晋级", "tie_at_cut": "并列晋级", "direct_entry": "直接晋级（不占名额）",
                    "no_cut": "全部晋级"},
    "normalise": {"as_is": "原值", "linear_on_max": "按最高值折算为百分制"},
    "origin": {"data": "阶段数据", "earlier": "前序阶段结果", "none": "无"},
    "aggregate": {"mean": "平均分", "trimmed_mean": "截尾平均分", "median": "中位数", "calibrated": "校准分"},
    "verdict": {"pass": "通过", "fail": "不通过"},
}
# the numbers a row's "why" adds to its reason, per kind (paths; * matches one segment); other kinds: the first
# numeric columns that differ from the score
WHY_PATHS = {"expert_review": ("n",), "composite": ("components.*.raw",), "formal_review": ("blocking", "warnings")}
# descriptors of a list item, already in its column label: not columns of their own
META_KEYS = {"source", "label", "normalise", "origin", "key"}
# a detail key containing one of these could name a person; it is never shown (pseudonyms are allowed)
IDENTITY_TOKENS = ("expert", "judge", "inspector", "reviewer", "email", "phone", "mobile", "user", "decided_by")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


@dataclass(frozen=True)
class Stage:
    key: str
    kind: str
    name: str
    starts: Any = None
    ends: Any = None

    @property
    def kind_label(self) -> str:
        return STAGE_KIND_LABELS.get(self.kind, self.kind)


@dataclass(frozen=True)
class Live:
    """A stage's lifecycle as the runtime holds it: status key (pending / open / closed), what it holds now, and
    why its result is stale (an earlier stage was reopened), if it is."""

    status: str = "pending"
    activity: str = ""
    stale: str = ""
    collects: str = ""
    lifecycle: str = ""  # who opened / closed it and when, in Chinese
    preview: Mapping[str, Any] | None = None  # the result it would store if it closed now (open stages)


@dataclass(frozen=True)
class AppInfo:
    id: int
    number: str
    title: str
    track: str
    lead: str


@dataclass(frozen=True)
class Run:
    result: Mapping[str, Any]
    final: bool = True
    created_at: Any = None



@dataclass(frozen=True)
class Column:
    key: str
    label: str


@dataclass
class Row:
    application_id: int
    number: str
    title: str
    track: str
    lead: str
    rank: int | None
    score: Decimal | None
    outcome: str
    reason: str
    values: dict[str, Any] = field(default_factory=dict)
    details: list[tuple[str, str]] = field(default_factory=list)
    why: str = ""

    @property
    def advanced(self) -> bool:
        return self.outcome == ADVANCED

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS[self.outcome]

    @property
    def score_text(self) -> str:
        return display(self.score)

    def cells(self, columns: Sequence[Column]) -> list[str]:
        return [display(self.values.get(c.key)) for c in columns]


@dataclass
class StageTable:
    stage: Stage
    status: str
    rows: list[Row] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    created_at: Any = None
    note: str = ""
    live: Live = field(default_factory=Live)
    stage_names: dict[str, str] = field(default_factory=dict)  # every stage of the campaign: key → name

    @property
    def started(self) -> bool:
        """The stage has a result to count (a running stage with no result yet has none)."""
        return self.status != NOT_STARTED and not (self.status == RUNNING and not self.rows)

    @property
    def stale(self) -> str:
        return self.live.stale

    @property
    def entered(self) -> int | None:
        return len(self.rows) if self.started else None

    @property
    def advanced(self) -> int | None:
        return sum(r.outcome == ADVANCED for r in self.rows) if self.started else None

    @property
    def eliminated(self) -> int | None:
        return sum(r.outcome == ELIMINATED for r in self.rows) if self.started else None

    @property
    def pending(self) -> int:
        return sum(r.outcome == PENDING for r in self.rows)

    @property
    def scores(self) -> list[float]:
        return [float(r.score) for r in self.rows if r.score is not None]

    @property
    def score_noun(self) -> str:
        return score_noun(self.stage.kind)

    @property
    def distribution_title(self) -> str:
        noun = self.score_noun
        noun = "" if noun == "得分" and self.stage.name.endswith("得分") else noun
        return f"{self.stage.name}{noun}分布"

    def param_items(self) -> list[tuple[str, str]]:
        """The stage's parameters in Chinese: labels from campaigns/param_labels.py, choices and stage keys named."""
        names = self.stage_names
        out = []
        for path, _, value in flatten(self.params, {}):
            parts = path.split(".")
            label = "·".join(names.get(p) or PARAM_LABELS.get(p, p) for p in parts if not p.isdigit())
            values = {**PARAM_VALUES.get(parts[-1], {}), **names}
            if isinstance(value, str) and "、" in value:
                shown = "、".join(values.get(v, v) for v in value.split("、"))
            else:
                shown = values.get(value, display(value)) if isinstance(value, str) else display(value)
            out.append((label, shown))
        return out


# -- values ---------------------------------------------------------------------------------------------------

def scalar(value: Any) -> Any:
    """A JSON scalar as shown and exported: numbers (also numeric strings) as int / Decimal, the rest as is."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, Decimal):
        return value
    text = str(value)
    if NUMBER.match(text):
        return int(text) if "." not in text else Decimal(text)
    return text


def display(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        text = f"{value.normalize():f}"
        return text if "." not in text or len(text.split(".")[1]) <= 4 else f"{value:.4f}"
    return str(value)


def _places(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        return None
    exponent = value.normalize().as_tuple().exponent if isinstance(value, Decimal) else 0
    return min(max(-exponent, 0), 4) if isinstance(exponent, int) else 0


def number_format(values: Iterable[Any]) -> Callable[[Any], str]:
    """One format for a column of numbers: thousands separators and as many fixed decimals as its most precise value
    (at most four); other values as `display` shows them."""
    places = max((p for p in map(_places, values) if p is not None), default=0)

    def fmt(value: Any) -> str:
        return f"{value:,.{places}f}" if _places(value) is not None else display(value)
    return fmt


def formatted_rows(rows: Sequence[Row], columns: Sequence[Column]) -> list[tuple[Row, str, list[str]]]:
    """Each row with its score and cells as shown: every number column of the table in one format."""
    score = number_format(r.score for r in rows)
    cells = [number_format(r.values.get(c.key) for r in rows) for c in columns]
    return [(r, score(r.score), [f(r.values.get(c.key)) for f, c in zip(cells, columns, strict=True)]) for r in rows]


def hidden(key: str, stage_names: Mapping[str, str]) -> bool:
    lowered = str(key).lower()
    if key in stage_names or "pseudonym" in lowered:
        return False
    return any(token in lowered for token in IDENTITY_TOKENS)


def _label(key: str, stage_names: Mapping[str, str]) -> str:
    return stage_names.get(key) or KEY_LABELS.get(key, key)


def _join(*parts: str) -> str:
    return "·".join(p for p in parts if p)


def flatten(detail: Mapping[str, Any], stage_names: Mapping[str, str]) -> list[tuple[str, str, Any]]:
    """(path, label, value) for every scalar in a detail mapping; lists of mappings are keyed by their source."""
    out: list[tuple[str, str, Any]] = []

    def walk(value: Any, path: str, label: str, last: str) -> None:
        if isinstance(value, Mapping):
            for k, v in value.items():
                if hidden(k, stage_names):
                    continue
                walk(v, f"{path}.{k}" if path else str(k), _join(label, _label(str(k), stage_names)), str(k))
        elif isinstance(value, list) and value and all(isinstance(i, Mapping) for i in value):
            for n, item in enumerate(value, 1):
                name = str(item.get("source") or item.get("key") or n)
                shown = str(item.get("label") or stage_names.get(name) or name)
                walk({k: v for k, v in item.items() if k != "label"}, f"{path}.{name}", _join(label, shown), name)
        elif isinstance(value, list):
            out.append((path, label, "、".join(display(scalar(v)) for v in value)))
        else:
            v = scalar(value)
            if isinstance(v, str) and last in VALUE_LABELS:
                v = VALUE_LABELS[last].get(v, v)
            out.append((path, label or path, v))

    walk(detail or {}, "", "", "")
    return out


# -- tables ---------------------------------------------------------------------------------------------------

def _columns(flat_rows: Iterable[list[tuple[str, str, Any]]]) -> list[Column]:
    labels: dict[str, str] = {}
    filled: set[str] = set()
    for flat in flat_rows:
        for path, label, value in flat:
            if path.rsplit(".", 1)[-1] in META_KEYS and "." in path:
                continue
            labels.setdefault(path, label)
            if value is not None and value != "":
                filled.add(path)
    return [Column(path, label) for path, label in labels.items() if path in filled]


def why(reason: str, values: Mapping[str, Any], columns: Sequence[Column], kind: str = "",
        score: Decimal | None = None, limit: int = 4) -> str:
    """The reason plus the key numbers of the detail: the kind's WHY_PATHS, else up to `limit` numeric columns
    whose value is not the score."""
    paths = WHY_PATHS.get(kind)
    extra = []
    for c in columns:
        value = values.get(c.key)
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            continue
        if paths is not None:
            if not any(fnmatch.fnmatchcase(c.key, p) for p in paths):
                continue
        elif score is not None and value == score:
            continue
        extra.append(f"{c.label} {display(value)}")
        if len(extra) == limit:
            break
    if not extra:
        return reason
    return f"{reason}（{'；'.join(extra)}）" if reason else "；".join(extra)


def _app(apps: Mapping[int, AppInfo], application_id: int) -> AppInfo:
    return apps.get(application_id) or AppInfo(application_id, f"#{application_id}", "（申报已删除）", "", "")


def _order(row: Row) -> tuple:
    """Ranked rows first by rank, then the unranked by score (highest first), then by application."""
    return row.rank is None, row.rank or 0, -(row.score or 0), row.application_id


def _counts_table(stage: Stage, status: str, raw_rows: list[dict], **extra) -> StageTable:
    """Rows carrying only what counts and charts read (outcome, rank, score, 取消资格): no application, detail or
    reason."""
    rows = [Row(r["application_id"], "", "", "", "", r["rank"], r["score"], r["outcome"], "",
                {"disqualified": True} if r["detail"].get("disqualified") is True else {}) for r in raw_rows]
    rows.sort(key=_order)
    return StageTable(stage, status, rows, **extra)


def _table(stage: Stage, status: str, raw_rows: list[dict], apps: Mapping[int, AppInfo] | None,
           stage_names: Mapping[str, str], **extra) -> StageTable:
    if apps is None:
        return _counts_table(stage, status, raw_rows, **extra)
    flats = [flatten(r["detail"], stage_names) for r in raw_rows]
    columns = _columns(flats)
    keys = {c.key for c in columns}
    rows = []
    for r, flat in zip(raw_rows, flats, strict=True):
        app = _app(apps, r["application_id"])
        values = {path: value for path, _, value in flat if path in keys}
        rows.append(Row(app.id, app.number, app.title, app.track, app.lead, r["rank"], r["score"], r["outcome"],
                        r["reason"], values, [(label, display(value)) for _, label, value in flat],
                        why(r["reason"], values, columns, stage.kind, r["score"])))
    rows.sort(key=_order)
    return StageTable(stage, status, rows, columns, **extra)


def _entry_rows(entries: Iterable[Mapping[str, Any]]) -> list[dict]:
    rows = []
    for e in entries:
        score = scalar(e.get("score"))
        rows.append({"application_id": int(e["application_id"]), "rank": e.get("rank"),
                     "score": Decimal(score) if isinstance(score, int) else score if isinstance(score, Decimal)
                     else None, "outcome": PENDING if e.get("pending") else ADVANCED if e.get("advanced") else ELIMINATED,
                     "reason": e.get("reason") or "", "detail": e.get("detail") or {}})
    return rows


def run_table(stage: Stage, run: Run, apps: Mapping[int, AppInfo] | None,
              stage_names: Mapping[str, str]) -> StageTable:
    return _table(stage, DONE if run.final else PROVISIONAL, _entry_rows(run.result.get("entries", [])), apps,
                  stage_names, params=dict(run.result.get("params") or {}), created_at=run.created_at)


def build_tables(stages: Sequence[Stage], runs: Mapping[str, Run], apps: Mapping[int, AppInfo] | None,
                 live: Mapping[str, Live] | None = None, names: Mapping[str, str] | None = None) -> list[StageTable]:
    """One table per stage, in the campaign's order. A stage with no result that the runtime holds open is 进行中
    with what it holds now (e.g. the votes received). `names`: every stage's name by key (default: of `stages`),
    for details that name other stages. `apps` None: rows for counting only (no application, detail or reason),
    for pages that show counts and charts."""
    live = live or {}
    names = names or {s.key: s.name for s in stages}
    tables = []
    for stage in stages:
        run = runs.get(stage.key)
        state = live.get(stage.key, Live())
        table = None
        if run is not None:
            table = run_table(stage, run, apps, names)
        elif state.status == "open" and state.preview:
            table = _table(stage, RUNNING, _entry_rows(state.preview.get("entries", [])), apps, names,
                           params=dict(state.preview.get("params") or {}), note="按当前数据预览，阶段结束后以存储结果为准")
        if table is None:
            table = StageTable(stage, RUNNING if state.status == "open" else NOT_STARTED, note=state.activity)
        table.live = state
        table.stage_names = names
        tables.append(table)
    return tables


def score_noun(kind: str) -> str:
    """What a stage kind's score is ("得分", or e.g. "票数"), as its engine class says; "得分" if unknown."""
    try:
        return implementation(kind).score_noun
    except NotImplementedError:
        return "得分"


# -- funnel, distributions, sorting ---------------------------------------------------------------------------

@dataclass(frozen=True)
class FunnelStep:
    key: str
    name: str
    kind_label: str
    status: str
    entered: int | None
    advanced: int | None
    eliminated: int | None
    pending: int = 0
    from_previous: int | None = None  # of the previous stage's advanced, those that entered this one
    backfilled: int = 0  # entered without being advanced by the previous stage (顺位递补)
    left: int = 0  # advanced by the previous stage, not entered (disqualified or withdrawn in between)
    disqualified: int = 0  # entered, removed by this stage (取消资格)

    @property
    def balance(self) -> str:
        """How the entrants add up, in Chinese: 进入 N = 上一阶段晋级 A + 递补 B − 退出 C."""
        if self.entered is None or self.from_previous is None:
            return ""
        text = f"进入 {self.entered} = 上一阶段晋级 {self.from_previous + self.left}"
        if self.backfilled:
            text += f" + 递补 {self.backfilled}"
        if self.left:
            text += f" − 其间退出 {self.left}"
        if self.disqualified:
            text += f"；本阶段取消资格 {self.disqualified}"
        return text


def funnel(tables: Sequence[StageTable]) -> list[FunnelStep]:
    """Each stage's counts, with how its entrants follow from the previous stage's advanced set."""
    steps, previous = [], None
    for t in tables:
        extra = {}
        if t.started and previous is not None and previous.started:
            advanced = {r.application_id for r in previous.rows if r.advanced}
            entered = {r.application_id for r in t.rows}
            extra = {"from_previous": len(entered & advanced), "backfilled": len(entered - advanced),
                     "left": len(advanced - entered)}
        if t.started:
            extra["disqualified"] = sum(1 for r in t.rows if r.values.get("disqualified") is True)
        steps.append(FunnelStep(t.stage.key, t.stage.name, t.stage.kind_label, t.status, t.entered, t.advanced,
                                t.eliminated, t.pending, **extra))
        if t.started:
            previous = t
    return steps


@dataclass(frozen=True)
class Bin:
    lo: float
    hi: float
    count: int
    advanced: int

    @property
    def label(self) -> str:
        return f"{_short(self.lo)}–{_short(self.hi)}"


def _short(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def histogram(values: Sequence[float], advanced: Sequence[bool] | None = None, bins: int = 10,
              hundred: bool = True) -> list[Bin]:
    """Equal-width bins (numpy.histogram; the last bin includes its upper edge), counting advanced entries too.

    Scores (``hundred``) lying on a 100-point scale: 0–100 in steps of 10. Whole numbers spanning fewer values
    than `bins` (e.g. few votes): one bin per value. Otherwise `bins` bins over the values' range."""
    if not values:
        return []
    data = numpy.asarray(values, dtype=float)
    lo, hi = float(data.min()), float(data.max())
    if hundred and lo >= 0 and hi <= 100:
        span = (0.0, 100.0)
    elif all(float(v).is_integer() for v in values) and hi - lo + 1 <= bins:
        bins, span = int(hi - lo) + 1, (lo, hi + 1)
    else:
        span = (lo, hi) if hi > lo else (lo - 0.5, hi + 0.5)
    counts, edges = numpy.histogram(data, bins=bins, range=span)
    flags = numpy.asarray(advanced if advanced is not None else [False] * len(values), dtype=bool)
    up, _ = numpy.histogram(data[flags], bins=edges)
    return [Bin(float(edges[i]), float(edges[i + 1]), int(counts[i]), int(up[i])) for i in range(len(counts))]


def stage_histogram(table: StageTable, bins: int = 10) -> list[Bin]:
    scored = [r for r in table.rows if r.score is not None]
    return histogram([float(r.score) for r in scored], [r.advanced for r in scored], bins,
                     hundred=score_noun(table.stage.kind) == "得分")  # votes are counts, not 100-point scores


@dataclass(frozen=True)
class Summary:
    n: int
    mean: float
    median: float
    lowest: float
    highest: float


def summary(values: Sequence[float]) -> Summary | None:
    if not values:
        return None
    return Summary(len(values), statistics.fmean(values), statistics.median(values), min(values), max(values))


SORT_FIELDS = {"rank": "名次", "number": "申报编号", "title": "案例名称", "track": "赛道", "lead": "主申报单位",
               "score": "得分", "outcome": "结果"}


def _sort_value(row: Row, key: str) -> Any:
    if key in SORT_FIELDS:
        return getattr(row, key)
    return row.values.get(key)


def sort_rows(rows: Sequence[Row], key: str, descending: bool = False) -> list[Row]:
    """Rows ordered by a field or a detail column; empty values always last, numbers before text."""
    def order(row: Row):
        v = _sort_value(row, key)
        if isinstance(v, bool):
            return (0, float(v), "")
        if isinstance(v, int | Decimal | float):
            return (0, float(v), "")
        return (1, 0.0, str(v))

    present = [r for r in rows if _sort_value(r, key) not in (None, "")]
    empty = [r for r in rows if _sort_value(r, key) in (None, "")]
    return sorted(present, key=order, reverse=descending) + empty


def filter_rows(rows: Sequence[Row], advanced: bool | None) -> list[Row]:
    if advanced is None:
        return list(rows)
    return [r for r in rows if r.advanced == advanced]
