"""The older expression form Globus documents for ``"k.="`` parameters:
values from the run's state named by a JSONPath between back-quotes,
``"`$.a.b` + '.crate'"`` (globus-automate-client's "Expressions in
Parameters"; published flows such as MDF's still use it).

Back-quotes are not Python, so before parsing each quoted path outside a
string literal becomes a placeholder name, and after parsing each
placeholder becomes a :class:`JsonPathRef` node that the interpreter reads
with the flow's JSONPath. No name an author writes can reach that node.
"""

from __future__ import annotations

import ast

from .errors import LanguageError


class JsonPathRef(ast.expr):
    """A back-quoted JSONPath inside an expression."""

    _fields = ()

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path


def split_backticks(expression: str) -> tuple[str, dict[str, str]]:
    """The expression with each back-quoted path replaced by a placeholder
    name, and placeholder -> path. Back-quotes inside strings stay text."""
    if "`" not in expression:
        return expression, {}
    prefix = "_jsonpath_"
    while prefix in expression:
        prefix += "_"
    out: list[str] = []
    paths: dict[str, str] = {}
    i, n = 0, len(expression)
    while i < n:
        char = expression[i]
        if char in "'\"":
            end = _string_end(expression, i)
            out.append(expression[i:end])
            i = end
        elif char == "`":
            close = expression.find("`", i + 1)
            if close < 0:
                raise LanguageError(
                    "States.Runtime", f"invalid expression {expression!r}: unclosed back-quote"
                )
            path = expression[i + 1 : close].strip()
            if not path.startswith("$"):
                raise LanguageError(
                    "States.Runtime", f"back-quotes must hold a JSONPath starting with $: {path!r}"
                )
            name = f"{prefix}{len(paths)}"
            paths[name] = path
            out.append(f"({name})")
            i = close + 1
        else:
            out.append(char)
            i += 1
    return "".join(out), paths


def _string_end(text: str, start: int) -> int:
    """Where the string literal opening at ``start`` ends (one past its
    closing quote; the text's end if it never closes)."""
    quote = text[start] * 3 if text.startswith(text[start] * 3, start) else text[start]
    i = start + len(quote)
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(quote, i):
            return i + len(quote)
        i += 1
    return len(text)


def bind_paths(tree: ast.expr, paths: dict[str, str]) -> ast.expr:
    """The parsed tree with every placeholder name made a JsonPathRef."""
    if not paths:
        return tree

    class _Swap(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> ast.AST:
            if node.id in paths:
                return ast.copy_location(JsonPathRef(paths[node.id]), node)
            return node

    return _Swap().visit(tree)  # type: ignore[no-any-return]
