"""Dependencies point one way: the bottom packages (campaigns, accounts, audit, the pipeline, and the Django-free
packages) import no stage app and no face, not even inside a function. Stage apps register with them instead."""

import ast
from pathlib import Path

import jinxuan

ROOT = Path(jinxuan.__file__).parent
BOTTOM = ("campaigns", "accounts", "audit", "pipeline", "formalrules", "outcomes", "textmining", "compendium")
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
