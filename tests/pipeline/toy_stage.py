"""A stage kind that exists only in the test suite: what its app would register when it loads."""

from pydantic import BaseModel, ConfigDict

from jinxuan.pipeline.registry import StageApp

KIND = "toy_tally"


class ToyParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    bonus: int = 0


def description() -> StageApp:
    return StageApp(
        kind=KIND, label="玩具计数", module="tests.pipeline.toy_kind", params=ToyParams, collects="按申报编号顺序计数",
        public_link=lambda c: ("玩具公开页", f"/toy/{c.slug}/"),
        manage_link=lambda c: ("玩具管理页", f"/manage/toy/{c.slug}/"),
        activity=lambda c: "玩具阶段正在计数", started=lambda c: True,
    )
