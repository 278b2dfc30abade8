"""An import-linter contract type that import-linter lacks: an allow-list.

``forbidden`` contracts name what may not be imported, so a library nobody thought of passes.
``allowed_imports`` names what may be: each module of ``source_modules`` imports only the
standard library of the running Python (``sys.stdlib_module_names``), modules of its own source
package, and ``allowed_modules`` (with their submodules). Registered in pyproject.toml
(``contract_types``) and used for the domain and scan packages.

Only ``lint-imports`` loads this module (import-linter is a development dependency); the station
never imports it. Like every import-linter contract it sees import statements, not names handed
to ``importlib``.
"""

from __future__ import annotations

import sys
from typing import TypedDict, cast

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, fields, output
from importlinter.domain.imports import Module


class _Violation(TypedDict):
    importer: str
    imported: str
    line_numbers: list[int]


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(f"{package}.")


class AllowedImportsContract(Contract):
    """Modules of ``source_modules`` import only the standard library, their own package and
    ``allowed_modules`` (optional: external packages by their top-level name, or internal
    modules and packages)."""

    type_name = "allowed_imports"

    source_modules = fields.ListField(subfield=fields.ModuleField())
    allowed_modules = fields.ListField(subfield=fields.ModuleField(), required=False)

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        sources = [module.name for module in cast(list[Module], self.source_modules)]
        allowed = [module.name for module in cast(list[Module] | None, self.allowed_modules) or []]
        violations: list[_Violation] = []
        for source in sources:
            if source not in graph.modules:
                raise ValueError(f"Module '{source}' does not exist.")
            package = {source} | graph.find_descendants(source)
            for importer in sorted(package):
                for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                    if (
                        imported.partition(".")[0] in sys.stdlib_module_names
                        or _within(imported, source)
                        or any(_within(imported, name) for name in allowed)
                    ):
                        continue
                    details = graph.get_import_details(importer=importer, imported=imported)
                    lines = sorted(detail["line_number"] for detail in details)
                    violations.append(
                        {"importer": importer, "imported": imported, "line_numbers": lines}
                    )
        output.verbose_print(verbose, f"{len(violations)} import(s) outside the allow-list.")
        return ContractCheck(kept=not violations, metadata={"violations": violations})

    def render_broken_contract(self, check: ContractCheck) -> None:
        allowed = ", ".join(
            module.name for module in cast(list[Module] | None, self.allowed_modules) or []
        )
        for violation in check.metadata["violations"]:
            lines = ", ".join(f"l.{line}" for line in violation["line_numbers"]) or "l.?"
            output.print_error(
                f"{violation['importer']} imports {violation['imported']} ({lines}):"
                " not in the standard library, its own package or the allowed modules"
                f" ({allowed or 'none'})",
                bold=False,
            )
        output.new_line()
