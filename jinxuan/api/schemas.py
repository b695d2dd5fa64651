from datetime import datetime

from ninja import Schema


class TrackOut(Schema):
    key: str
    name: str
    kind: str
    winners: int | None


class StageOut(Schema):
    key: str
    kind: str
    name: str


class CampaignOut(Schema):
    slug: str
    name: str
    short_name: str
    year: int
    organiser: str
    submission_opens: datetime
    submission_closes: datetime
    tracks: list[TrackOut]
    stages: list[StageOut]


class StateCount(Schema):
    state: str
    label: str
    count: int


class ProblemOut(Schema):
    path: str
    message: str
    line: int | None


class ValidationOut(Schema):
    valid: bool
    slug: str | None = None
    problems: list[ProblemOut] = []


class PresetIn(Schema):
    yaml: str


class LoadOut(Schema):
    slug: str
    created: bool


class Error(Schema):
    detail: str
