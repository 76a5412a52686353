"""Every constraint statement of the circom sources, and how to delete it.

Used by scripts/mutate_constraints.py (which deletes each in turn and runs the attacker tests against
the result) and by test_attack_harness.py (which checks every statement has an attack that names it).

A constraint statement is, inside a template:
  - `a === b;`                      deleted (blanked, so every later offset stays put);
  - `x <== e;` / `signal x <== e;`  turned into `x <-- e;` (the value is still computed, no longer
                                    constrained);
  - an anonymous component call `T(params)(args)`, which constrains each of T's inputs to its argument
    (and the left-hand side, if a signal, to T's output): each of those bindings is deleted in turn.
    circom accepts only `<==` with an anonymous call, so the mutant spells every anonymous call of the
    file as a named component with the very name circom gives the anonymous one (`T_line_offset`),
    which keeps every signal name, and weakens the one binding to `<--`.
Every edit keeps the other statements' text, line and offset, so signal names do not move.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .circom_outline import Outline, strip_comments, template_bodies

ANONYMOUS_CALL = re.compile(r"\b([A-Z]\w*)\s*\(")


@dataclass(frozen=True)
class Statement:
    """One constraint statement: where it is and what it says."""

    file: Path        # absolute path of the source file
    template: str
    start: int        # offsets of the statement in the file (comment-free text keeps offsets)
    end: int          # exclusive, just after the `;`
    text: str         # the statement, whitespace collapsed

    @property
    def line(self) -> int:
        return self.file.read_text()[:self.start].count("\n") + 1


@dataclass(frozen=True)
class Mutation:
    """The deletion of one constraint of a statement (or all of its constraints)."""

    statement: Statement
    binding: str          # "" for the statement itself, else the anonymous call binding deleted
    description: str

    @property
    def label(self) -> str:
        """How an attack names the constraint it breaks (stable when lines move):
        `lib/notes.circom NoteCommitment: commitment <== hash.out;`, with ` [input x]` or
        ` [output]` for one binding of an anonymous call."""
        suffix = {"": "", "out": " [output]"}.get(self.binding, f" [input {self.binding[3:]}]")
        return f"{source_name(self.statement.file)} {self.statement.template}: {self.statement.text}{suffix}"

    def key(self, root: Path) -> str:
        where = f"{self.statement.file.relative_to(root)}:{self.statement.line}"
        return f"{where} {self.statement.template}: {self.description}"


def source_name(path: Path) -> str:
    """A source file as includes name it: `lib/checks.circom`, `circomlib/circuits/bitify.circom`."""
    parts = Path(path).resolve().parts
    if "node_modules" in parts:
        return "/".join(parts[len(parts) - parts[::-1].index("node_modules"):])
    return "/".join(parts[len(parts) - parts[::-1].index("circuits"):])


def _split_statements(body: str) -> list[tuple[int, int]]:
    """(start, end) offsets within `body` of each `;`-terminated statement at nesting depth 0 of
    parentheses and brackets, restarting after every brace."""
    statements, depth, start = [], 0, 0
    for index, character in enumerate(body):
        if character in "([":
            depth += 1
        elif character in ")]":
            depth -= 1
        elif character in "{}" and depth == 0:
            start = index + 1
        elif character == ";" and depth == 0:
            statements.append((start, index + 1))
            start = index + 1
    return statements


def _normal(text: str) -> str:
    return " ".join(text.split())


def anonymous_calls(text: str) -> list[tuple[str, int, int, int]]:
    """(template, offset of its name, end of params, end of args) of each `T(params)(args)` in text."""
    calls = []
    for match in ANONYMOUS_CALL.finditer(text):
        params_end = _matching(text, match.end() - 1)
        rest = text[params_end:]
        stripped = rest.lstrip()
        if not stripped.startswith("("):
            continue
        args_start = params_end + (len(rest) - len(stripped))
        calls.append((match.group(1), match.start(), params_end, _matching(text, args_start)))
    return calls


def _matching(text: str, open_index: int) -> int:
    """The offset just after the parenthesis closing the one at open_index."""
    depth = 0
    for index in range(open_index, len(text)):
        depth += text[index] == "("
        depth -= text[index] == ")"
        if depth == 0:
            return index + 1
    raise ValueError(f"unbalanced parentheses in {text!r}")


def _split_arguments(arguments: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for character in arguments:
        if character in "([":
            depth += 1
        elif character in ")]":
            depth -= 1
        if character == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += character
    if current.strip():
        parts.append(current.strip())
    return parts


def statements(path: Path, templates: set[str] | None = None) -> list[Statement]:
    """The constraint statements of a file, in the templates named (all by default)."""
    path = Path(path).resolve()
    source = strip_comments(path.read_text())
    found = []
    for name, body_start, body_end in template_bodies(source):
        if templates is not None and name not in templates:
            continue
        body = source[body_start:body_end]
        for start, end in _split_statements(body):
            text = body[start:end]
            constrains = "===" in text or "<==" in text or "==>" in text or anonymous_calls(text)
            if "<--" in text or not constrains:
                continue
            leading = len(text) - len(text.lstrip())
            found.append(Statement(path, name, body_start + start + leading, body_start + end,
                                   _normal(text)))
    return found


def mutations(statement: Statement, outline: Outline) -> list[Mutation]:
    """Each single deletion the statement allows."""
    text = statement.text
    calls = anonymous_calls(text)
    if not calls:
        if "===" in text:
            return [Mutation(statement, "", f"delete `{text}`")]
        return [Mutation(statement, "", f"`{text}` -> `<--`")]
    if len(calls) > 1:
        raise ValueError(f"more than one anonymous call in {text!r}")
    template_name, _offset, params_end, args_end = calls[0]
    template = outline.templates[template_name]
    arguments = _split_arguments(text[params_end:args_end].strip()[1:-1])
    if len(arguments) == 1 and len(template.inputs) == 1:
        pairs = [(template.inputs[0], arguments[0])]
    elif len(arguments) == len(template.inputs):
        pairs = list(zip(template.inputs, arguments))
    else:
        raise ValueError(f"{text!r}: {len(arguments)} arguments for inputs {template.inputs}")
    found = [Mutation(statement, f"in:{signal}",
                      f"`{template_name}(...)({argument})`: its input {signal} <-- {argument}")
             for signal, argument in pairs]
    left = text.split("<==")[0].strip() if "<==" in text else ""
    if left and left != "_":
        found.append(Mutation(statement, "out",
                              f"`{left} <== {template_name}(...)(...)` -> `<--`"))
    return found


def _blank(text: str) -> str:
    return re.sub(r"[^\n]", " ", text)


def _anonymous_name(source: str, offset: int, template: str) -> str:
    return f"{template}_{source[:offset].count(chr(10)) + 1}_{offset}"


def _named_form(source: str, statement_start: int, statement_end: int, outline: Outline,
                weaken: str | None) -> str:
    """The statement with its anonymous call spelled as a named component of the same name, the
    binding `weaken` ("in:<signal>" or "out") made a `<--`."""
    text = source[statement_start:statement_end]
    [(template_name, offset, params_end, args_end)] = anonymous_calls(text)
    name = _anonymous_name(source, statement_start + offset, template_name)
    template = outline.templates[template_name]
    params = text[offset + len(template_name):params_end]
    arguments = _split_arguments(text[params_end:args_end].strip()[1:-1])
    if len(arguments) == 1 and len(template.inputs) == 1:
        pairs = [(template.inputs[0], arguments[0])]
    else:
        pairs = list(zip(template.inputs, arguments))
    parts = [f"component {name} = {template_name}{params};"]
    for signal, argument in pairs:
        operator = "<--" if weaken == f"in:{signal}" else "<=="
        parts.append(f"{name}.{signal} {operator} {_normal(argument)};")
    [output] = template.outputs
    before = text[:offset].rstrip()
    after = text[args_end:].strip()
    if before.endswith("<=="):
        left = before[:-3].rstrip()
        if left != "_":
            operator = "<--" if weaken == "out" else "<=="
            parts.append(f"{left} {operator} {name}.{output}{after}")
    elif before.endswith("="):
        parts.append(f"{before} {name}.{output}{after}")
    else:
        raise ValueError(f"cannot rewrite {text!r}")
    # One line, so that later lines keep their numbers (later offsets move, hence every anonymous
    # call of the file is rewritten).
    return " ".join(parts)


def apply(mutation: Mutation, outline: Outline) -> str:
    """The text of the mutated file."""
    statement = mutation.statement
    raw = statement.file.read_text()
    if not mutation.binding:
        original = raw[statement.start:statement.end]
        if "===" in statement.text:
            return raw[:statement.start] + _blank(original) + raw[statement.end:]
        operator = "<==" if "<==" in original else "==>"
        weakened = original.replace(operator, "<--" if operator == "<==" else "-->", 1)
        return raw[:statement.start] + weakened + raw[statement.end:]
    source = strip_comments(raw)
    # Every anonymous call of the file, rewritten from the last so earlier offsets stay valid.
    rewrites = []
    for other in statements(statement.file):
        if anonymous_calls(other.text):
            weaken = mutation.binding if other.start == statement.start else None
            rewrites.append((other.start, other.end,
                             _named_form(source, other.start, other.end, outline, weaken)))
    for start, end, replacement in sorted(rewrites, reverse=True):
        raw = raw[:start] + replacement + raw[end:]
    return raw


def anonymous_rewrite(path: Path, outline: Outline) -> str:
    """The file with every anonymous call spelled as a named component, nothing weakened: the
    control the mutants of anonymous bindings differ from by one binding."""
    path = Path(path).resolve()
    raw = path.read_text()
    source = strip_comments(raw)
    rewrites = [(s.start, s.end, _named_form(source, s.start, s.end, outline, None))
                for s in statements(path) if anonymous_calls(s.text)]
    for start, end, replacement in sorted(rewrites, reverse=True):
        raw = raw[:start] + replacement + raw[end:]
    return raw
