"""Django-free modules inside Django apps are told apart by the first words of their docstring, "Django-free.",
and this test holds them to it: neither they nor any jinxuan module they import (transitively) imports Django."""

import ast
from functools import cache
from pathlib import Path

import jinxuan

ROOT = Path(jinxuan.__file__).parent
MARK = "Django-free."
DJANGO = ("django", "rest_framework", "ninja", "storages")
# The modules the layout names as Django-free; they must carry the mark.
NAMED = ("campaigns.schema", "pipeline.engine", "formalrules.formcheck", "applicants.documents",
         "applicants.documents.pdf", "applicants.documents.printable", "applicants.documents.word",
         "applicants.documents.fonts")


def _name(path: Path, root: Path) -> str:
    parts = ["jinxuan", *path.relative_to(root).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(root: Path = ROOT) -> dict[str, Path]:
    return {_name(p, root): p for p in root.rglob("*.py") if "migrations" not in p.parts}


def imports_of(name: str, path: Path) -> set[str]:
    """Absolute names of what the file imports (relative imports resolved), wherever the statement is."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[:len(package) - node.level + 1] + ([node.module] if node.module else []))
            found.add(base)
            found |= {f"{base}.{a.name}" for a in node.names}
    return found


def django_path(name: str, root: Path = ROOT) -> list[str] | None:
    """The import chain from `name` to a Django module, or None when there is none."""
    table = modules(root)

    @cache
    def walk(mod: str, seen: frozenset) -> tuple[str, ...] | None:
        for imported in sorted(imports_of(mod, table[mod])):
            if imported.split(".")[0] in DJANGO:
                return (mod, imported)
            if imported in table and imported not in seen:
                chain = walk(imported, seen | {imported})
                if chain:
                    return (mod, *chain)
        return None

    chain = walk(name, frozenset({name}))
    return list(chain) if chain else None


def marked(root: Path = ROOT) -> list[str]:
    out = []
    for name, path in modules(root).items():
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        if doc and doc.startswith(MARK):
            out.append(name)
    return sorted(out)


def test_the_named_modules_carry_the_mark():
    found = set(marked())
    assert [m for m in NAMED if f"jinxuan.{m}" not in found] == []
    assert len(found) >= 30


def test_no_marked_module_reaches_django():
    problems = {m: chain for m in marked() if (chain := django_path(m))}
    assert problems == {}, "marked Django-free, but imports Django: " + "; ".join(
        " → ".join(chain) for chain in problems.values())


def test_the_check_follows_imports_across_modules(tmp_path):
    pkg = tmp_path / "jinxuan" / "app"
    pkg.mkdir(parents=True)
    (tmp_path / "jinxuan" / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (pkg / "pure.py").write_text('"""Django-free. Looks pure."""\nfrom . import helper\n')
    (pkg / "helper.py").write_text("def f():\n    from django.db import models\n    return models\n")
    root = tmp_path / "jinxuan"
    assert marked(root) == ["jinxuan.app.pure"]
    assert django_path("jinxuan.app.pure", root) == ["jinxuan.app.pure", "jinxuan.app.helper", "django.db"]
