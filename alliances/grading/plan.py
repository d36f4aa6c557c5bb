"""Plan a submission's run: the notebook to run, and what each code cell is (answer, test, set-up)."""

from __future__ import annotations

import ast
import builtins
import copy

from .markup import cell_key, is_answer, meta, student_cell


def assemble(source, submitted):
    """The notebook to run: answer cells from ``submitted``, all other cells from ``source``."""
    theirs = {}
    for i, cell in enumerate(submitted.get("cells") or []):
        if isinstance(cell, dict):
            for key in (cell_key(cell, i), cell.get("id")):
                if key:
                    theirs.setdefault(str(key), cell)
    nb = copy.deepcopy(source)
    for i, cell in enumerate(nb.cells):
        if is_answer(cell):
            mine = theirs.get(cell_key(cell, i))
            text = mine.get("source", "") if mine is not None else None
            nb.cells[i] = student_cell(cell, i)  # the blank answer if the cell is missing
            if text is not None:
                nb.cells[i].source = "".join(text) if isinstance(text, list) else str(text)
        if cell.cell_type == "code":
            nb.cells[i].outputs, nb.cells[i].execution_count = [], None
    return nb


def _python(source: str) -> ast.AST | None:
    from IPython.core.inputtransformer2 import TransformerManager
    try:
        return ast.parse(TransformerManager().transform_cell(source))
    except (SyntaxError, ValueError):
        return None


def _top_bindings(source: str) -> set[str]:
    """Names a cell binds at module level (not inside functions or classes)."""
    names: set[str] = set()

    def visit(node):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            return
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names if a.name != "*")
        elif isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            return
        for child in ast.iter_child_nodes(node):
            visit(child)

    tree = _python(source)
    if tree is not None:
        visit(tree)
    return names


def _all_names(source: str) -> tuple[set[str], set[str]]:
    """(names read, names bound) anywhere in a cell."""
    tree, read, bound = _python(source), set(), set()
    for node in ast.walk(tree) if tree is not None else []:
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
    return read, bound


def plan(source) -> list[tuple[int, str, list[str]]]:
    """(cell index, kind, names) for each code cell of the source.

    kind is "answer", "test" or "setup"; for a test, names are those the sandbox hands over:
    every name the test reads that the answer cells so far bind, and every name it reads that no
    set-up or test cell defines (hidden helpers and set-up data come from the checker's own run).
    A name the test does not read stays in the sandbox: a large intermediate table (a dyad-year
    panel of 800,000 rows) is not encoded for every test after it.
    """
    steps, answered, trusted = [], set(), set(dir(builtins))
    for i, cell in enumerate(source.cells):
        if cell.cell_type != "code":
            continue
        if is_answer(cell):
            answered |= _top_bindings(cell.source)
            steps.append((i, "answer", []))
        elif meta(cell).get("grade"):
            read, bound = _all_names(cell.source)
            trusted |= bound
            steps.append((i, "test", sorted((answered & read) | (read - trusted))))
        else:
            trusted |= _all_names(cell.source)[1]
            steps.append((i, "setup", []))
    return steps
