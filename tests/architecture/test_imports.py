"""The house's walls, checked on every import of the code: a service knows another only by its
public contract, the kernel knows no service, and nothing of the platform leans on the tools.

Each rule reads the imports of every module (the `import` and `from … import` statements, also
those inside functions) and names each offending line, so a change that crosses a wall fails here
with the file, the line and the rule.
"""

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = sorted(p.name for p in (ROOT / "services").iterdir() if (p / "__init__.py").exists())
PRIVATE_LAYERS = ("domain", "application", "entrypoints", "documents", "bootstrap", "config")


@dataclass(frozen=True)
class Import:
    path: Path
    line: int
    module: str

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line} imports {self.module}"


def imports_of(path: Path, package: str | None = None) -> Iterator[Import]:
    """Every module a file imports, relative imports resolved from its package."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = package or ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(path, node.lineno, alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parent = parts[: len(parts) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            yield Import(path, node.lineno, base)
            for alias in node.names:
                yield Import(path, node.lineno, f"{base}.{alias.name}")


def modules_under(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def crossings(service: str, imports: Iterable[Import]) -> list[Import]:
    """The imports, by a module of `service`, of another service's private layers (all but contracts)."""
    found = []
    for imported in imports:
        parts = imported.module.split(".")
        other = len(parts) >= 3 and parts[0] == "services" and parts[1] in SERVICES and parts[1] != service
        if other and parts[2] in PRIVATE_LAYERS:
            found.append(imported)
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_imports_another_service_only_through_its_contracts(service: str) -> None:
    offending = crossings(service, (i for p in modules_under(f"services/{service}") for i in imports_of(p)))
    assert not offending, "\n".join(map(str, offending))


def test_a_contracts_module_holds_public_events_only_and_imports_nothing_of_its_service() -> None:
    offending = [
        imported
        for service in SERVICES
        if (ROOT / "services" / service / "contracts.py").exists()
        for imported in imports_of(ROOT / "services" / service / "contracts.py")
        if imported.module.startswith("services.")
    ]
    assert not offending, "\n".join(map(str, offending))


def test_the_shared_kernel_knows_no_service_no_platform_module_and_no_tool() -> None:
    offending = [
        imported
        for path in modules_under("shared")
        for imported in imports_of(path)
        if imported.module.split(".")[0] in {"services", "runtime", "tools", "bench", "chaos", "tests"}
    ]
    assert not offending, "\n".join(map(str, offending))


def test_the_services_and_the_platform_do_not_lean_on_the_tools() -> None:
    offending = [
        imported
        for folder in ("services", "runtime")
        for path in modules_under(folder)
        for imported in imports_of(path)
        if imported.module.split(".")[0] in {"tools", "bench", "chaos", "tests"}
    ]
    assert not offending, "\n".join(map(str, offending))


def test_the_rule_finds_a_crossing_written_in_any_import_form(tmp_path: Path) -> None:
    module = tmp_path / "crossing.py"
    module.write_text(
        "\n".join(
            [
                "from services.reply.domain.events import ReplyIssued",
                "import services.feedback.application.service",
                "from services.intake import contracts",
                "from ...reply.entrypoints import api",
                "def late():",
                "    from services.views.application import queries",
            ]
        ),
        encoding="utf-8",
    )
    found = crossings("allocation", imports_of(module, package="services.allocation.application"))
    assert [i.module for i in found] == [
        "services.reply.domain.events",
        "services.reply.domain.events.ReplyIssued",
        "services.feedback.application.service",
        "services.reply.entrypoints",
        "services.reply.entrypoints.api",
        "services.views.application",
        "services.views.application.queries",
    ]
