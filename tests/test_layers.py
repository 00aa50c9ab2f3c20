"""The package's folders are its layers, and imports only point down: data → zoo → methods → settings → train →
figures → teach → experiments → app, commands. A newcomer reading `ls kdemo` sees where a thing lives."""
import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "kdemo"
LAYERS = ["lang", "data", "zoo", "methods", "settings", "train", "figures", "teach", "experiments", ("app", "commands")]
RANK = {name: i for i, layer in enumerate(LAYERS) for name in (layer if isinstance(layer, tuple) else (layer,))}


def module_of(path: Path) -> list[str]:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def imports(path: Path) -> set[str]:
    """Every kdemo module `path` imports, as dotted names (relative imports resolved)."""
    here = module_of(path)
    package = here if path.name == "__init__.py" else here[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            target = base + (node.module.split(".") if node.module else [])
            if target and target[0] == "kdemo":
                found.add(".".join(target))
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("kdemo")}
    return found


def layer(dotted: str) -> int | None:
    parts = dotted.split(".")
    return RANK.get(parts[1]) if len(parts) > 1 else None


SOURCES = sorted(p for p in PKG.rglob("*.py") if p.parent != PKG)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PKG)))
def test_imports_point_down_the_layers(path):
    mine = layer(".".join(module_of(path)))
    up = sorted(t for t in imports(path) if layer(t) is not None and layer(t) > mine)
    assert not up, f"{path.relative_to(PKG)} (layer {mine}) imports from a higher layer: {up}"


def test_every_module_lives_in_a_layer_folder_of_at_most_twelve():
    loose = sorted(p.name for p in PKG.glob("*.py") if p.name not in ("__init__.py", "__main__.py"))
    assert not loose, f"modules outside any layer folder: {loose}"
    folders = {p.parent for p in SOURCES}
    assert {f.relative_to(PKG).parts[0] for f in folders} == set(RANK)
    for folder in folders:
        modules = [p for p in folder.glob("*.py") if p.name != "__init__.py"]
        assert len(modules) <= 12, f"{folder.relative_to(PKG)} holds {len(modules)} modules"
