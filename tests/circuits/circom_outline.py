"""An outline of circom sources: per template, its input, output and intermediate signals, the signals
it assigns with `<--` (hints, left to the witness generator), and the template of each named
subcomponent. The attacker harness uses it to tell, for a signal, which constraint defines it.

Deliberately small: it reads the declarations the batterytrace circuits and the circomlib templates
they include use (one `signal` per declaration, `component name[...] = T(...)` or a declaration and a
later `name[...] = T(...)`), and refuses what it does not understand rather than guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

INCLUDE = re.compile(r'include\s+"([^"]+)"\s*;')
TEMPLATE = re.compile(r"\btemplate\s+(\w+)\s*\(([^)]*)\)\s*\{")
SIGNAL = re.compile(r"\bsignal\s+(?:(input|output)\s+)?(\w+)")
HINT = re.compile(r"(\w+)(?:\s*\[[^\]]*\])*\s*<--")
COMPONENT_DECLARATION = re.compile(r"\bcomponent\s+(\w+)")
COMPONENT_ASSIGNMENT = re.compile(r"\b(\w+)(?:\s*\[[^\]]*\])*\s*=\s*(\w+)\s*\(")
MAIN = re.compile(r"\bcomponent\s+main\b[^=]*=\s*(\w+)\s*\(")


def strip_comments(source: str) -> str:
    """The source with comments blanked (newlines and offsets kept)."""
    def blank(match: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", match.group(0))
    return re.sub(r"//[^\n]*|/\*.*?\*/", blank, source, flags=re.DOTALL)


def template_bodies(source: str) -> list[tuple[str, int, int]]:
    """(name, body start, body end) of every template in a comment-free source."""
    bodies = []
    for match in TEMPLATE.finditer(source):
        depth, cursor = 1, match.end()
        while depth:
            character = source[cursor]
            depth += character == "{"
            depth -= character == "}"
            cursor += 1
        bodies.append((match.group(1), match.end(), cursor - 1))
    return bodies


@dataclass
class Template:
    name: str
    file: Path
    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    intermediates: list[str] = field(default_factory=list)
    hints: set[str] = field(default_factory=set)
    components: dict[str, str] = field(default_factory=dict)

    def kind(self, signal: str) -> str:
        if signal in self.inputs:
            return "input"
        if signal in self.outputs:
            return "output"
        if signal in self.intermediates:
            return "intermediate"
        raise KeyError(f"template {self.name} declares no signal {signal}")


class Outline:
    """The templates reachable from one main circuit file through its includes."""

    def __init__(self, main_file: Path, library_paths: list[Path]) -> None:
        self.templates: dict[str, Template] = {}
        self.files: list[Path] = []
        self._read(Path(main_file).resolve(), library_paths)
        main_source = strip_comments(Path(main_file).read_text())
        match = MAIN.search(main_source)
        if not match:
            raise ValueError(f"{main_file} declares no main component")
        self.main = match.group(1)

    def _read(self, path: Path, library_paths: list[Path]) -> None:
        if path in self.files:
            return
        self.files.append(path)
        source = strip_comments(path.read_text())
        for include in INCLUDE.findall(source):
            candidates = [path.parent / include] + [Path(root) / include for root in library_paths]
            found = next((candidate.resolve() for candidate in candidates if candidate.exists()), None)
            if found is None:
                raise FileNotFoundError(f"{path}: cannot find include {include}")
            self._read(found, library_paths)
        for name, start, end in template_bodies(source):
            body = source[start:end]
            template = Template(name, path)
            for kind, signal in SIGNAL.findall(body):
                {"input": template.inputs, "output": template.outputs}.get(
                    kind, template.intermediates).append(signal)
            template.hints = set(HINT.findall(body))
            declared = set(COMPONENT_DECLARATION.findall(body))
            for component, instantiated in COMPONENT_ASSIGNMENT.findall(body):
                if component in declared:
                    previous = template.components.setdefault(component, instantiated)
                    if previous != instantiated:
                        raise ValueError(f"{name}.{component} is both {previous} and {instantiated}")
            self.templates[name] = template

    def template_of(self, component_path: str) -> Template:
        """The template of a component given by its canonical path (`main.created.hash`,
        `main.certifiedIsBps[0].Num2Bits#0`)."""
        parts = component_path.split(".")
        if parts[0] != "main":
            raise ValueError(component_path)
        template = self.templates[self.main]
        for part in parts[1:]:
            base = part.split("[")[0]
            if "#" in base:
                template = self.templates[base.split("#")[0]]
            elif base in template.components:
                template = self.templates[template.components[base]]
            else:
                raise KeyError(f"{template.name} has no component {base} ({component_path})")
        return template
