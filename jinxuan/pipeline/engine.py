"""Django-free. The stage pipeline engine, with no Django import.

A stage kind is a small class: entrants in → ranked, auditable result out →
advanced set. Kinds register themselves by name; a campaign's preset lists its
stages, and `run_pipeline` feeds each stage the set the previous one advanced.
"""

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from pydantic import BaseModel

from jinxuan.campaigns.stage_params import STAGE_PARAMS

# An entrant with this flag passes a bypassable stage unranked and advances (a district-recommended case when the
# preset's `district_recommendation_skips` is "review_and_vote": no expert review, no vote, no composite cut).
BYPASS_FLAG = "direct_to_roadshow"
BYPASS_REASON = "区级政府推荐，免于{stage}，直接进入路演答辩（不参加本阶段排名，不占名额）"


@dataclass(frozen=True)
class Entrant:
    application_id: int
    track: str
    submitted_at: str = ""
    flags: frozenset[str] = frozenset()  # e.g. {"district_recommended"}


@dataclass(frozen=True)
class RankedEntry:
    application_id: int
    rank: int | None
    score: Decimal | None
    advanced: bool
    reason: str = ""
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StageResult:
    stage_key: str
    kind: str
    entries: tuple[RankedEntry, ...]
    params: Mapping[str, Any]
    inputs_digest: str
    inputs: Mapping[str, Any] = field(default_factory=dict)  # what the digest covers, kept for replay

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "StageResult":
        entries = tuple(RankedEntry(**{k: (Decimal(str(v)) if k == "score" and v is not None else v)
                                       for k, v in e.items()}) for e in data["entries"])  # scores as computed
        return cls(stage_key=data["stage_key"], kind=data["kind"], entries=entries, params=data["params"],
                   inputs_digest=data["inputs_digest"], inputs=data.get("inputs", {}))

    @property
    def advanced(self) -> frozenset[int]:
        return frozenset(e.application_id for e in self.entries if e.advanced)

    def to_json(self) -> dict:
        return json.loads(json.dumps(asdict(self), default=str, ensure_ascii=False))


@dataclass
class StageContext:
    """What a stage may read besides its entrants: earlier results and stage data (scores, votes …)."""

    campaign: str
    earlier: dict[str, StageResult] = field(default_factory=dict)
    data: Mapping[str, Any] = field(default_factory=dict)


class StageKind(ABC):
    kind: ClassVar[str]
    label: ClassVar[str] = "本阶段"
    bypassable: ClassVar[bool] = False  # entrants flagged BYPASS_FLAG pass it unranked (see BYPASS_FLAG)
    score_noun: ClassVar[str] = "得分"  # what an entry's score is; "得分" is read on a 100-point scale

    def __init__(self, key: str, params: BaseModel | Mapping[str, Any] | None = None):
        model = STAGE_PARAMS[self.kind]
        self.key = key
        self.params = params if isinstance(params, model) else model.model_validate(dict(params or {}))

    @abstractmethod
    def rank(self, entrants: Sequence[Entrant], context: StageContext) -> list[RankedEntry]:
        """Return one entry per entrant, ranked, each saying whether it advances and why."""

    def run(self, entrants: Sequence[Entrant], context: StageContext) -> StageResult:
        entrants = sorted(entrants, key=lambda e: e.application_id)
        passing = [e for e in entrants if self.bypassable and BYPASS_FLAG in e.flags]
        ranked = [e for e in entrants if not (self.bypassable and BYPASS_FLAG in e.flags)]
        entries = list(self.rank(ranked, context)) + [
            RankedEntry(e.application_id, None, None, True, BYPASS_REASON.format(stage=self.label),
                        {"bypassed": True, "direct_entry": True, "advanced_by": "direct_entry"}) for e in passing]
        given = sorted(e.application_id for e in entries)
        if given != [e.application_id for e in entrants]:
            raise ValueError(f"阶段 {self.key} 的结果必须恰好包含每个参与者一次")
        payload = inputs_payload(entrants, context, self.key)
        return StageResult(
            stage_key=self.key,
            kind=self.kind,
            entries=tuple(entries),
            params=self.params.model_dump(mode="json"),
            inputs_digest=digest_of(payload),
            inputs=normalised(payload),
        )


REGISTRY: dict[str, type[StageKind]] = {}


def register(cls: type[StageKind]) -> type[StageKind]:
    if cls.kind not in STAGE_PARAMS:
        raise ValueError(f"未知的阶段类型 {cls.kind!r}")
    REGISTRY[cls.kind] = cls
    return cls


def implementation(kind: str) -> type[StageKind]:
    try:
        return REGISTRY[kind]
    except KeyError:
        raise NotImplementedError(f"阶段类型 {kind!r} 尚未实现") from None


def inputs_payload(entrants: Iterable[Entrant], context: StageContext, key: str) -> dict:
    return {  # everything the stage can read: its entrants, all stage data and the earlier results
        "stage": key,
        "entrants": [asdict(e) | {"flags": sorted(e.flags)} for e in entrants],
        "data": {str(k): v for k, v in context.data.items()},
        "earlier": {k: r.inputs_digest + ":" + ",".join(map(str, sorted(r.advanced)))
                    for k, r in context.earlier.items()},
    }


def normalised(payload: Mapping[str, Any]) -> Any:
    """The payload as it reads back from JSON (string keys, decimals as strings): what a stored copy digests to."""
    return json.loads(json.dumps(payload, default=str))


def digest_of(payload: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(normalised(payload), sort_keys=True).encode()).hexdigest()


def inputs_digest(entrants: Iterable[Entrant], context: StageContext, key: str) -> str:
    return digest_of(inputs_payload(entrants, context, key))


def run_pipeline(
    stages: Sequence[tuple[str, str, Mapping[str, Any]]], entrants: Sequence[Entrant], context: StageContext
) -> list[StageResult]:
    """Run (key, kind, params) stages in order; each gets the entrants the previous one advanced."""
    results: list[StageResult] = []
    current = list(entrants)
    for key, kind, params in stages:
        result = implementation(kind)(key, params).run(current, context)
        context.earlier[key] = result
        results.append(result)
        current = [e for e in current if e.application_id in result.advanced]
    return results
