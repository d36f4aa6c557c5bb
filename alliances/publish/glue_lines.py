"""The glue bookkeeping of a code cell, hidden from the web book's displayed source.

A chapter computes its numbers in code and hands them to the prose with ``glue(...)`` (and
``glue_change(...)``); on the page those calls are bookkeeping between the computation and its
figure. :func:`without_glue` returns a cell's source without the statements that only glue:
``glue(...)``/``glue_change(...)`` calls, loops (and ``if`` blocks) that only glue (their
other statements only assign names that nothing else in the cell reads), and the imports of
``alliances.glue``. The rest of the cell (and its outputs) stays as it is; the notebooks keep
every line. ``sphinx/page_fixes.py`` applies it to each code cell's displayed source.
"""

from __future__ import annotations

import ast

GLUE_NAMES = {"glue", "glue_change"}


def _is_glue_call(node, names=GLUE_NAMES) -> bool:
    if not isinstance(node, ast.Expr) or not isinstance(node.value, ast.Call):
        return False
    func = node.value.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
    return name in names


def _loads(node) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _only_glue(stmt, tree=None, names=GLUE_NAMES) -> bool:
    """A glue call, an import of glue, a helper function that only glues (``def g(...): glue(...)``),
    or a loop or ``if`` that only glues: its body holds glue calls, such blocks, and assignments to
    names that nothing else in the cell reads."""
    if _is_glue_call(stmt, names):
        return True
    if isinstance(stmt, ast.FunctionDef) and stmt.name in names:
        return True
    if isinstance(stmt, ast.ImportFrom) and stmt.module in ("alliances.glue", "myst_nb") \
            and all(a.name in GLUE_NAMES for a in stmt.names):
        return True
    if isinstance(stmt, (ast.For, ast.If)) and not stmt.orelse and stmt.body:
        glued = [s for s in stmt.body if _only_glue(s, tree, names)]
        if not any(_is_glue_call(n, names) for s in glued for n in ast.walk(s)):
            return False
        rest = [s for s in stmt.body if s not in glued]
        if not all(isinstance(s, ast.Assign) and all(isinstance(t, ast.Name) for t in s.targets) for s in rest):
            return False
        assigned = {t.id for s in rest for t in s.targets}  # (the loop's own variables are not checked)
        inside = {id(n) for n in ast.walk(stmt)}
        outside = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
                   and id(n) not in inside} if tree is not None else set()
        return not assigned & outside
    return False


def _is_docstring(stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)


def glue_statements(source: str) -> list[ast.stmt]:
    """The statements of ``source`` that only glue (outermost first), never a block's whole body."""
    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython magics and the like: leave the cell alone
        return []
    found = []
    # helper functions whose body only glues count as glue (their calls and their definition go)
    names = set(GLUE_NAMES)
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef) and stmt.body and \
                all(_only_glue(s, tree, names) for s in stmt.body if not _is_docstring(s)):
            names.add(stmt.name)

    def visit(body, whole_ok):
        removable = [s for s in body if _only_glue(s, tree, names)]
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

    def encloses(n, stmt):
        return (n.lineno, n.col_offset) <= (stmt.lineno, stmt.col_offset) and \
            (stmt.end_lineno, stmt.end_col_offset) <= (n.end_lineno, n.end_col_offset)

    return [stmt for stmt in found
            if not any(stmt.lineno <= line <= stmt.end_lineno and not encloses(n, stmt)
                       for n in others for line in (n.lineno, n.end_lineno))]


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
