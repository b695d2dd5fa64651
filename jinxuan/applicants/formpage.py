"""The 申报书 page: its sections rendered from the schema, and the error summary grouped by those sections.

Errors are shown at a field only when the applicant touched it (it holds a value) or tried to submit; the
summary lists each problem once, under the section it belongs to, linking to the control that fixes it.
"""

import re
from dataclasses import dataclass, field

from jinxuan.formalrules.formcheck import Problem

from . import formio

UNITS_ANCHOR = "joint-name"
_UNIT_PATH = re.compile(r"^units\[(\d+)\]\.([^.\[]+)")


@dataclass
class FormPage:
    sections: list[dict]
    units: list
    anchors: dict[str, str] = field(default_factory=dict)  # problem path → id of the control to focus
    owners: dict[str, tuple[str, str]] = field(default_factory=dict)  # path root → (section id, section title)


def problem_map(problems) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in problems:
        out.setdefault(p.path, []).append(p.message)
    return out


def root_of(path: str) -> str:
    """The part of a problem's path that names one field of the form: 'units[1].phone', 'case_name'."""
    match = _UNIT_PATH.match(path)
    if match:
        return f"units[{match.group(1)}].{match.group(2)}"
    return re.split(r"[.\[]", path, maxsplit=1)[0]


def build(app, shown: list[Problem]) -> FormPage:
    """Every section of the form with `shown` problems at their fields."""
    spec = app.campaign.spec
    units = list(app.units.select_related("organisation").order_by("position"))
    pmap = problem_map(shown)
    page = FormPage([], units)
    track_key = app.track.key if app.track_id else None
    for section in spec.form.sections:
        if section.scope == "unit":
            for unit in units:
                who = "主申报单位" if unit.is_lead else f"联合申报单位（{unit.position}）"
                key, title = f"{section.key}-{unit.position}", f"{section.title}·{who}"
                fields = []
                for f in section.fields:
                    path = f"units[{unit.position}].{f.key}"
                    page.owners[path] = (key, title)
                    fields.append(formio.render_field(f, unit.answers.get(f.key), f"u{unit.position}-{f.key}", pmap, path,
                                                      anchors=page.anchors))
                page.sections.append({"key": key, "title": title, "help": section.help, "fields": fields})
            continue
        fields = []
        for f in section.fields:
            page.owners[f.key] = (section.key, section.title)
            if f.per_unit:
                for unit in units:
                    fields.append(formio.render_field(f.model_copy(update={"label": f"{f.label}（{unit.organisation.name}）"}),
                                                      (app.answers.get(f.key) or {}).get(unit.organisation.credit_code),
                                                      f"a-{f.key}-{unit.position}", pmap, f"{f.key}.{unit.organisation.credit_code}",
                                                      anchors=page.anchors))
            else:
                value = app.answers.get(f.key)
                if f.type == "track" and not value:
                    value = track_key  # the track chosen when the draft was started
                fields.append(formio.render_field(f, value, f"a-{f.key}", pmap, f.key, tracks=spec.tracks,
                                                  anchors=page.anchors))
        page.sections.append({"key": section.key, "title": section.title, "help": section.help, "fields": fields})
    return page


def summary(page: FormPage, problems: list[Problem], can_add_unit: bool = True) -> list[dict]:
    """Problems grouped by section in the order of the form: [{"title", "items": [{"text", "href"}]}]."""
    order = [s["key"] for s in page.sections] + ["units", "attachments", "other"]
    titles = {s["key"]: s["title"] for s in page.sections} | {"units": "申报单位", "attachments": "附件", "other": "其他"}
    groups: dict[str, list[dict]] = {}
    for p in problems:
        if p.path.startswith("attachments."):
            key, href = "attachments", f"file-{p.path.split('.', 1)[1]}"
        elif p.path == "units" or p.path.startswith("units.") or root_of(p.path) not in page.owners:
            key = "units" if p.path.startswith("units") else "other"
            href = UNITS_ANCHOR if can_add_unit else "units"
        else:
            key = page.owners[root_of(p.path)][0]
            href = page.anchors.get(p.path) or page.anchors.get(root_of(p.path)) or f"field-{p.path}"
        groups.setdefault(key, []).append({"text": str(p), "href": href})
    return [{"key": k, "title": titles[k], "items": groups[k]} for k in order if k in groups]
