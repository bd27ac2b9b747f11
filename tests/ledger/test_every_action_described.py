"""Every action the code writes to the ledger has words in the activity feed.

The source of app/ is read, not run: each call of the ledger's `append(session, actor, action,
…)` gives its action as a literal, a conditional of literals, or a name bound to those in its
function (an assignment, or a parameter every caller in the module passes a literal for). A call
whose action cannot be read that way fails the test too, so a branch adding an action, however
it spells it, is asked for its phrase (app/<domain>/activity.py).
"""

from __future__ import annotations

import ast
from pathlib import Path

from app.ledger.describe import PHRASES

ROOT = Path(__file__).resolve().parents[2]
# Phrases kept for actions no code writes any more, so old entries still read well.
RETIRED = {"auth.login_failed", "engagement.auditor_report"}


def _imports_ledger_append(tree: ast.Module) -> bool:
    return any(isinstance(node, ast.ImportFrom) and (node.module or "").endswith("ledger.service")
               and any(alias.name == "append" for alias in node.names)
               for node in ast.walk(tree))


def _is_ledger_append(call: ast.Call, direct: bool) -> bool:
    if isinstance(call.func, ast.Name):
        return direct and call.func.id == "append"
    return (isinstance(call.func, ast.Attribute) and call.func.attr == "append"
            and isinstance(call.func.value, ast.Name)
            and call.func.value.id in {"ledger", "ledger_service"} and len(call.args) >= 3)


def _action_argument(call: ast.Call) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == "action":
            return keyword.value
    return call.args[2] if len(call.args) >= 3 else None


def _parents(tree: ast.Module) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _function_of(node: ast.AST, parents) -> ast.FunctionDef | None:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return node
    return None


def _resolve(expr: ast.expr, tree: ast.Module, parents, function) -> set[str] | None:
    """The action strings `expr` can be, or None when the source does not say."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return {expr.value}
    if isinstance(expr, ast.IfExp):
        body = _resolve(expr.body, tree, parents, function)
        orelse = _resolve(expr.orelse, tree, parents, function)
        return None if body is None or orelse is None else body | orelse
    if isinstance(expr, ast.Name) and function is not None:
        return _resolve_name(expr.id, tree, parents, function)
    return None


def _resolve_name(name: str, tree: ast.Module, parents, function) -> set[str] | None:
    found: set[str] = set()
    assigned = [node.value for node in ast.walk(function) if isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)]
    for value in assigned:
        values = _resolve(value, tree, parents, function)
        if values is None:
            return None
        found |= values
    parameters = [a.arg for a in (*function.args.posonlyargs, *function.args.args)]
    keyword_only = [a.arg for a in function.args.kwonlyargs]
    if name in parameters or name in keyword_only:
        callers = [node for node in ast.walk(tree) if isinstance(node, ast.Call)
                   and isinstance(node.func, ast.Name) and node.func.id == function.name]
        if not callers:
            return None
        for caller in callers:
            argument = next((k.value for k in caller.keywords if k.arg == name), None)
            if argument is None and name in parameters and parameters.index(name) < len(
                    caller.args):
                argument = caller.args[parameters.index(name)]
            values = None if argument is None else _resolve(
                argument, tree, parents, _function_of(caller, parents))
            if values is None:
                return None
            found |= values
    return found or None


def written_actions() -> tuple[dict[str, list[str]], list[str]]:
    """{action: [where it is written]} over app/ and migrations/, and calls not understood."""
    actions: dict[str, list[str]] = {}
    unreadable: list[str] = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        direct, parents = _imports_ledger_append(tree), _parents(tree)
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            if not _is_ledger_append(call, direct):
                continue
            where = f"{path.relative_to(ROOT)}:{call.lineno}"
            argument = _action_argument(call)
            values = None if argument is None else _resolve(
                argument, tree, parents, _function_of(call, parents))
            if values is None:
                unreadable.append(where)
                continue
            for action in values:
                actions.setdefault(action, []).append(where)
    # Migrations write entries as rows (0007 seals the chain with "ledger.keyed").
    for path in sorted((ROOT / "migrations" / "versions").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg == "action" and isinstance(
                    node.value, ast.Constant) and isinstance(node.value.value, str):
                actions.setdefault(node.value.value, []).append(str(path.relative_to(ROOT)))
    return actions, unreadable


def test_every_action_written_to_the_ledger_has_a_phrase(app):
    actions, unreadable = written_actions()
    assert not unreadable, ("the action of these ledger appends cannot be read from the source; "
                            f"pass a literal (or a conditional of literals): {unreadable}")
    missing = {action: where for action, where in actions.items() if action not in PHRASES}
    assert not missing, ("actions written to the ledger without words for the activity feed; "
                         f"add them to app/<domain>/activity.py: {missing}")


def test_every_phrase_is_for_an_action_the_code_writes(app):
    actions, _ = written_actions()
    stray = set(PHRASES) - set(actions) - RETIRED
    assert not stray, f"phrases for actions nothing writes (a typo? else list in RETIRED): {stray}"


def test_the_scan_reads_conditional_and_passed_on_actions():
    actions, _ = written_actions()
    # a conditional of literals, a name assigned from one, a parameter its callers fill in
    assert {"dispensation.emergency", "dispensation.requested", "risk.accepted", "risk.updated",
            "evidence.uploaded", "evidence.added", "auth.login", "ledger.keyed"} <= set(actions)
    assert len(actions) > 100
