from datetime import datetime

from ninja import Schema
from pydantic import model_validator
from pydantic_core import PydanticCustomError


class BodyIn(Schema):
    """A request body: a JSON object only. (ninja's Schema reads attributes of anything it is given, so a
    bare `5` or `"x"` would otherwise pass as an empty body and be answered 200.)"""

    @model_validator(mode="before")
    @classmethod
    def _object_only(cls, value):
        raw = getattr(value, "_obj", value)  # ninja wraps the input in a DjangoGetter
        if not isinstance(raw, dict):
            raise PydanticCustomError("dict_type", "Input should be a JSON object")
        if not storable(raw):
            raise PydanticCustomError("text_unstorable", "文本含有空字符或不成对的代理字符")
        return value


def storable(value) -> bool:
    """True when every string (keys included) can be stored as text: PostgreSQL refuses NUL and lone surrogates."""
    if isinstance(value, str):
        return "\x00" not in value and not any("\ud800" <= ch <= "\udfff" for ch in value)
    if isinstance(value, dict):
        return all(storable(k) and storable(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return all(storable(v) for v in value)
    return True


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


class PresetProblemOut(Schema):  # a distinct name: the OpenAPI components are keyed by class name
    path: str
    message: str
    line: int | None


class ValidationOut(Schema):
    valid: bool
    slug: str | None = None
    problems: list[PresetProblemOut] = []


class PresetIn(BodyIn):
    yaml: str


class LoadOut(Schema):
    slug: str
    created: bool


class Error(Schema):
    detail: str


class FieldError(Schema):
    loc: list[str | int]
    message: str


class InvalidRequest(Schema):
    """422: the request did not match the operation's parameters or body (every problem, in Chinese)."""

    detail: str
    errors: list[FieldError]


def errors(*codes: int) -> dict:
    """Declared error answers for an operation's `response={...}`: `Error`, or `InvalidRequest` for 422."""
    return {code: InvalidRequest if code == 422 else Error for code in codes}
