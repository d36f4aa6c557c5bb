"""The glue bookkeeping of a code cell, hidden from the web book's displayed source.

A chapter computes its numbers in code and hands them to the prose with ``glue(...)`` (and
``glue_change(...)``); on the page those calls are bookkeeping between the computation and its
figure. :func:`without_glue` returns a cell's source without the statements that only glue:
``glue(...)``/``glue_change(...)`` calls, loops whose body only glues, and the imports of
``alliances.glue``. The rest of the cell (and its outputs) stays as it is; the notebooks keep
every line. ``sphinx/page_fixes.py`` applies it to each code cell's displayed source.
"""

from __future__ import annotations

import ast

GLUE_NAMES = {"glue", "glue_change"}


def _is_glue_call(node) -> bool:
    if not isinstance(node, ast.Expr) or not isinstance(node.value, ast.Call):
        return False
    func = node.value.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
    return name in GLUE_NAMES


def _only_glue(stmt) -> bool:
    if _is_glue_call(stmt):
        return True
    if isinstance(stmt, ast.ImportFrom) and stmt.module in ("alliances.glue", "myst_nb") \
            and all(a.name in GLUE_NAMES for a in stmt.names):
        return True
    if isinstance(stmt, (ast.For, ast.If)) and not stmt.orelse:
        return bool(stmt.body) and all(_only_glue(s) for s in stmt.body)
    return False


def glue_statements(source: str) -> list[ast.stmt]:
    """The statements of ``source`` that only glue (outermost first), never a block's whole body."""
    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython magics and the like: leave the cell alone
        return []
    found = []

    def visit(body, whole_ok):
        removable = [s for s in body if _only_glue(s)]
        if len(removable) == len(body) and not whole_ok:
            removable = []  # a block must keep a statement
        found.extend(removable)
        for stmt in body:
            if stmt in removable:
                continue
            for field in ("body", "orelse", "finalbody"):
                inner = getattr(stmt, field, None)
                if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                    visit(inner, False)
            for handler in getattr(stmt, "handlers", []):
                visit(handler.body, False)

    visit(tree.body, True)
    # a statement sharing a line with another one (``x = 1; glue("x", x)``) stays
    inside = {id(n) for stmt in found for n in ast.walk(stmt)}
    others = [n for n in ast.walk(tree) if isinstance(n, ast.stmt) and id(n) not in inside]
    return [stmt for stmt in found
            if not any(stmt.lineno <= line <= stmt.end_lineno for n in others for line in (n.lineno, n.end_lineno))]


def without_glue(source: str) -> str:
    """``source`` without the lines of its glue-only statements (and no blank lines left at its ends)."""
    statements = glue_statements(source)
    if not statements:
        return source
    lines = source.splitlines()
    drop = set()
    for stmt in statements:
        drop.update(range(stmt.lineno - 1, stmt.end_lineno))
    kept = [line for i, line in enumerate(lines) if i not in drop]
    text = "\n".join(kept)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip("\n")
