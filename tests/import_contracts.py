"""An import-linter contract type that the built-in ones lack: an allow-list.

``type = allowed`` (pyproject.toml, ``[tool.importlinter]``): the modules in and under
``source_modules`` may import each other, the standard library and the top-level
packages named in ``allowed_modules``, and nothing else. The built-in ``forbidden``
type could only list what is refused, and a dependency added later would pass it.
It needs ``include_external_packages``: without it the graph holds no outside import
to check.
"""

from __future__ import annotations

import sys
from typing import Any

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, fields, output
from importlinter.domain.contract import InvalidContractOptions


class AllowedImportsContract(Contract):
    """``source_modules`` import only each other, the standard library and
    ``allowed_modules``."""

    type_name = "allowed"

    source_modules = fields.ListField(subfield=fields.ModuleField())
    allowed_modules = fields.ListField(subfield=fields.StringField())

    def validate(self) -> None:
        if str(self.session_options.get("include_external_packages")) not in ("True", "true"):
            raise InvalidContractOptions(
                {"type": "an allowed contract needs include_external_packages = true"}
            )

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        allowed = set(self.allowed_modules) | sys.stdlib_module_names  # type: ignore[call-overload]
        illegal: list[tuple[str, str, list[int]]] = []
        for source in self.source_modules:  # type: ignore[attr-defined]
            inside = {source.name} | graph.find_descendants(source.name)
            for importer in sorted(inside):
                outside = graph.find_modules_directly_imported_by(importer) - inside
                for imported in sorted(m for m in outside if m.split(".")[0] not in allowed):
                    details = graph.get_import_details(importer=importer, imported=imported)
                    illegal.append((importer, imported, sorted(d["line_number"] for d in details)))
        return ContractCheck(kept=not illegal, metadata={"illegal": illegal})

    def render_broken_contract(self, check: ContractCheck) -> None:
        illegal: list[tuple[str, str, list[int]]] = check.metadata["illegal"]
        allowed: Any = self.allowed_modules
        output.print_error(
            f"Only the standard library and {', '.join(allowed)} may be imported:", bold=False
        )
        output.new_line()
        for importer, imported, lines in illegal:
            output.print_error(
                f"- {importer} -> {imported} (l.{', '.join(map(str, lines))})", bold=False
            )
            output.new_line()
