"""What each stage app says about itself, registered once when the app loads.

The core (links, readiness, the stage dashboard, the stage report, replay) reads this registry and never imports a
stage app. A stage app calls `register_stage_app` from its ``AppConfig.ready()``; a kind's engine class (a
`pipeline.engine.StageKind`) registers with the engine when `module` is imported. See ``pipeline/README.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from jinxuan.campaigns.stage_params import STAGE_KIND_LABELS, STAGE_PARAMS

Link = tuple[str, str]  # (Chinese label, URL)


def _none(campaign) -> None:
    return None


@dataclass(frozen=True)
class StageApp:
    """One stage kind as the rest of the product sees it.

    kind, label        the preset's kind key and its Chinese name
    collects           how the stage gathers its inputs, in Chinese (shown on the stage dashboard)
    module             the module whose import registers the kind's engine class ("" for none)
    params             the kind's parameter model, when the kind brings its own (else the one in stage_params)
    public_link        campaign → (label, url) of its public page once it has something to show, else None
    manage_link        campaign → (label, url) of its organiser page, else None
    started            campaign → True once the stage holds work (votes, scores …) although nobody opened it
    activity           campaign → a short Chinese line on what it holds now ("已收到 441 票"), or None
    preview            campaign → the result JSON the stage would store if it closed now (entries still awaiting a
                       decision carry ``"pending": true``), for the stage report while it is open; None if nothing yet
    preview_stamp      campaign → a small value that changes whenever what `preview` reads changes (the stage report
                       keeps the preview until it does); None: the preview is computed on every view
    close              (campaign, actor) → computes and stores the stage result (the stage's own close action)
    reopen             (campaign, actor) → what the app resets when its stage is reopened (e.g. a closed period)
    permissions        the permission names its pages are guarded by
    """

    kind: str
    label: str
    collects: str = ""
    module: str = ""
    params: Any = None
    public_link: Callable[[Any], Link | None] = _none
    manage_link: Callable[[Any], Link | None] = _none
    started: Callable[[Any], bool] = field(default=lambda campaign: False)
    activity: Callable[[Any], str | None] = _none
    preview: Callable[[Any], dict | None] = _none
    preview_stamp: Callable[[Any], Any] = _none
    close: Callable[..., Any] | None = None
    reopen: Callable[..., Any] | None = None
    permissions: tuple[str, ...] = ()


_APPS: dict[str, StageApp] = {}


def register_stage_app(app: StageApp) -> StageApp:
    """Register (or replace) a stage kind's description; its parameter model and label become known to presets."""
    if app.params is not None:
        STAGE_PARAMS.setdefault(app.kind, app.params)
    if app.kind not in STAGE_PARAMS:
        raise ValueError(f"阶段类型 {app.kind!r} 没有参数定义")
    STAGE_KIND_LABELS.setdefault(app.kind, app.label)
    if app.module:
        import_module(app.module)  # registers the kind's engine class
    _APPS[app.kind] = app
    return app


def unregister_stage_app(kind: str) -> None:
    _APPS.pop(kind, None)


def stage_app(kind: str) -> StageApp | None:
    return _APPS.get(kind)


def stage_apps() -> dict[str, StageApp]:
    return dict(_APPS)
