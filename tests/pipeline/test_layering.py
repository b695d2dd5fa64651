"""Dependencies point one way: the bottom packages (campaigns, accounts, audit, the pipeline, and the Django-free
packages) import no stage app and no face, not even inside a function. Stage apps register with them instead; and
no two packages reach each other, directly or through others."""

import ast
from collections import defaultdict
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

import jinxuan

ROOT = Path(jinxuan.__file__).parent
BOTTOM = ("campaigns", "accounts", "audit", "pipeline", "formalrules", "outcomes", "textmining", "compendium",
          "prepared")
ABOVE = ("formalreview", "review", "voting", "roadshow", "inspection", "publicity", "results",  # stage apps
         "library", "reports", "dashboard", "api", "demo", "tools", "ops")  # faces that read across stages


def imported(path: Path) -> list[tuple[int, str]]:
    """Every absolute module an import statement in the file names, wherever the statement is."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def violations(packages=BOTTOM, forbidden=ABOVE, root: Path = ROOT) -> list[str]:
    out = []
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            for line, module in imported(path):
                parts = module.split(".")
                if parts[0] == "jinxuan" and len(parts) > 1 and parts[1] in forbidden:
                    out.append(f"{path.relative_to(root.parent)}:{line} imports {module}")
    return out


def package_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """package → the other jinxuan packages its modules import (any import statement, inside functions too)."""
    graph: dict[str, set[str]] = defaultdict(set)
    packages = {p.name for p in root.iterdir() if (p / "__init__.py").exists()}
    for package in sorted(packages):
        graph[package]
        for path in (root / package).rglob("*.py"):
            for _, module in imported(path):
                parts = module.split(".")
                if parts[0] == "jinxuan" and len(parts) > 1 and parts[1] in packages and parts[1] != package:
                    graph[package].add(parts[1])
    return graph


def cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle of packages (first package repeated at the end), or [] when the imports form layers."""
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        return list(reversed(exc.args[1]))
    return []


def test_no_two_packages_import_each_other_even_through_others():
    assert cycle(package_graph()) == []


@pytest.mark.parametrize("files", [
    {"a/one.py": "from jinxuan.b import x\n", "b/two.py": "def f():\n    import jinxuan.a.one\n"},
    {"a/one.py": "from jinxuan.b import x\n", "b/two.py": "from jinxuan.c.z import y\n", "c/z.py": "import jinxuan.a\n"},
])
def test_the_cycle_check_finds_a_planted_cycle(tmp_path, files):
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(exist_ok=True)
        (path.parent / "__init__.py").touch()
        path.write_text(text)
    found = cycle(package_graph(tmp_path))
    assert found[0] == found[-1] and set(found) == {p.split("/")[0] for p in files}


def test_the_bottom_packages_import_no_stage_app_and_no_face():
    assert violations() == []


def test_the_check_finds_an_import_inside_a_function(tmp_path):
    package = tmp_path / "jinxuan" / "campaigns"
    package.mkdir(parents=True)
    (package / "late.py").write_text("def f():\n    from jinxuan.voting.services import cast\n    return cast\n")
    assert violations(("campaigns",), root=tmp_path / "jinxuan") == ["jinxuan/campaigns/late.py:2 imports jinxuan.voting.services"]


def test_nothing_imports_the_demo():
    """The demo sits on top: it may call any service (the library's seeding lives there), nothing calls it."""
    packages = [p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists() and p.name != "demo"]
    assert "library" in packages
    assert violations(packages, forbidden=("demo",)) == []
