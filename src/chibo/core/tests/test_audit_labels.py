"""Every audit action the code writes has a Vietnamese label (``core.audit_labels``).

The actions are found by reading the source (``ast``): the ``action`` given to ``audit``, ``audit_each``,
``download`` and ``document_response``, the first item of each event given to ``audit_many``, and, where the
action is built from a helper's parameter (``f"admission.{action}"``), the literals every call of that helper in
the same module passes. An action the reader cannot resolve fails the test until it is resolvable or listed in
``RESOLVED_ELSEWHERE`` with the reason.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from chibo.core.audit_labels import action_label, action_labels

SRC = Path(__file__).resolve().parents[2]
WRITERS = {"audit", "audit_each", "download", "document_response"}

# Actions made from values the code reads at run time, with where their labels come from.
RESOLVED_ELSEWHERE = {
    "members/timeline.py": "the timeline's event types register their labels (members.timeline.event_type)",
    "members/bulk.py": "the timeline kinds CREATED and UPDATED, registered like every event type",
}
# Actions built from a value the reader cannot follow (a step's input), spelled out here.
SPELLED_OUT = {
    "admission/services.py": {"admission.withdrawn", "admission.rejected"},  # case_close: the outcome chosen
}


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _patterns(node: ast.expr) -> list[tuple[str, str, str]] | None:
    """(prefix, parameter, suffix) for ``"x.y"`` (parameter ""), ``name`` or ``f"x.{name}_y"``; None otherwise."""
    if isinstance(node, ast.Constant) and node.value is None:
        return []  # a download that is not audited
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [(node.value, "", "")]
    if isinstance(node, ast.IfExp):
        body, orelse = _patterns(node.body), _patterns(node.orelse)
        return None if body is None or orelse is None else body + orelse
    if isinstance(node, ast.Name):
        return [("", node.id, "")]
    if isinstance(node, ast.JoinedStr) and sum(isinstance(v, ast.FormattedValue) for v in node.values) == 1:
        parts = node.values
        at = next(i for i, v in enumerate(parts) if isinstance(v, ast.FormattedValue))
        value = parts[at]
        assert isinstance(value, ast.FormattedValue)
        if isinstance(value.value, ast.Name):
            text = [
                "".join(str(p.value) for p in parts[:at] if isinstance(p, ast.Constant)),
                "".join(str(p.value) for p in parts[at + 1 :] if isinstance(p, ast.Constant)),
            ]
            return [(text[0], value.value.id, text[1])]
    return None


def _call_values(tree: ast.Module, function: ast.FunctionDef, param: str) -> list[ast.expr]:
    """What every call of ``function`` in the module passes for ``param``."""
    names = [a.arg for a in function.args.posonlyargs + function.args.args]
    index = names.index(param) if param in names else None
    found = []
    for call in ast.walk(tree):
        if not isinstance(call, ast.Call) or _name(call.func) != function.name:
            continue
        given = [k.value for k in call.keywords if k.arg == param]
        if not given and index is not None and index < len(call.args):
            given = [call.args[index]]
        found += given
    return found


def _assigned(function: ast.FunctionDef, name: str) -> list[ast.expr]:
    """The values a local variable is given in ``function``."""
    return [
        node.value
        for node in ast.walk(function)
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
    ]


def _enclosing(tree: ast.Module, node: ast.AST) -> ast.FunctionDef | None:
    best = None
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef) and fn.lineno <= node.lineno <= (fn.end_lineno or fn.lineno):
            if best is None or fn.lineno > best.lineno:
                best = fn
    return best


def _resolve(tree: ast.Module, node: ast.expr, at: ast.AST, depth: int = 0) -> tuple[set[str], list[str]]:
    """(the actions ``node`` may be, what could not be resolved)."""
    patterns = _patterns(node)
    if patterns is None:
        return set(), [ast.unparse(node)]
    actions: set[str] = set()
    unresolved: list[str] = []
    for prefix, param, suffix in patterns:
        if not param:
            actions.add(prefix)
            continue
        function = _enclosing(tree, at)
        values = []
        if function is not None and depth < 3:
            values = _call_values(tree, function, param) + _assigned(function, param)
        if not values:
            unresolved.append(ast.unparse(node))
        for value in values:
            inner, missing = _resolve(tree, value, at if value in _assigned(function, param) else value, depth + 1)
            actions |= {f"{prefix}{a}{suffix}" for a in inner}
            unresolved += missing
    return actions, unresolved


def written_actions() -> tuple[set[str], list[str]]:
    actions: set[str] = set()
    unresolved: list[str] = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if "/tests/" in f"/{rel}" or "/migrations/" in f"/{rel}" or rel in ("core/audit.py", "core/documents.py"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call):
                continue
            name = _name(call.func)
            if name == "audit_many":
                for item in ast.walk(call):
                    if isinstance(item, ast.Tuple) and item.elts:
                        first = item.elts[0]
                        if isinstance(first, ast.Constant) and isinstance(first.value, str):
                            actions.add(first.value)
                continue
            if name not in WRITERS:
                continue
            for keyword in call.keywords:
                if keyword.arg != "action":
                    continue
                found, missing = _resolve(tree, keyword.value, call)
                actions |= found
                if missing and rel in SPELLED_OUT:
                    actions |= SPELLED_OUT[rel]
                elif missing and rel not in RESOLVED_ELSEWHERE:
                    unresolved += [f"{rel}:{call.lineno}: {m}" for m in missing]
    return actions, unresolved


def test_every_written_action_is_resolved_and_labelled():
    actions, unresolved = written_actions()
    assert not unresolved, "audit actions the test cannot resolve (make them literals or list the file):\n" + "\n".join(
        unresolved
    )
    assert len(actions) > 100  # the reader finds the actions: a broken reader would find few
    missing = sorted(a for a in actions if a not in action_labels())
    assert not missing, f"audit actions without a Vietnamese label in core.audit_labels: {missing}"


def test_the_reader_follows_a_helper_parameter():
    tree = ast.parse(
        "def _move(actor, case, action):\n"
        "    audit(actor=actor, action=f'admission.{action}')\n"
        "def a():\n    _move(x, y, 'course')\n"
        "def b():\n    _move(x, y, action='verified')\n"
    )
    call = next(n for n in ast.walk(tree) if isinstance(n, ast.Call) and _name(n.func) == "audit")
    assert _resolve(tree, call.keywords[1].value, call) == ({"admission.course", "admission.verified"}, [])


def test_timeline_kinds_are_labelled_as_on_the_timeline(db):
    from chibo.members.timeline import EVENT_TYPES

    assert len(EVENT_TYPES) > 20
    for kind, event in EVENT_TYPES.items():
        assert action_label(kind) == str(event.label)


@pytest.mark.parametrize("action", ["member.viewed", "ballot.participated", "auth.login_failed"])
def test_a_label_is_vietnamese_not_the_code(action):
    label = action_label(action)
    assert label and "." not in label and label != action


def test_an_unknown_action_is_not_shown_as_its_code():
    assert action_label("nothing.never_written") == "Thao tác khác"
