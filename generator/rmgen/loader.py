"""Loading a spec: YAML text -> plain Python data plus the location of every value.

PyYAML *composes* the document into nodes (which carry line/column marks); this module
turns the nodes into dicts, lists and scalars itself, so it can reject what a spec never
needs (duplicate keys, anchors/aliases, non-string keys, tags) with precise locations.
Events come from libyaml when PyYAML has it (5x faster), and where the text cannot hold an
anchor or alias libyaml composes the nodes too (twice as fast again); a spec libyaml refuses
is read again by the pure-Python parser, whose messages are the ones documented.
"""
from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Dict, List, Optional, Tuple, Union

import msgspec
import yaml
from yaml.composer import Composer

from rmgen import hints
from rmgen.diagnostics import Diagnostics, Location

MAX_BYTES = 1 << 20
MAX_DEPTH = 64
MAX_INT_DIGITS = 1000  # far below Python's int-conversion limit; no spec needs 21 digits

PathKey = Tuple[Union[str, int], ...]  # e.g. ('devctl', 3, 'in')

_SCALAR_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null")}
_TIMESTAMP = "tag:yaml.org,2002:timestamp"  # a date-like plain scalar: kept as a string
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_YAML_KINDS = {bool: "a boolean", int: "an integer", float: "a number", type(None): "null"}


class Spec(msgspec.Struct):
    """A loaded spec: its data, where each value and key sits, and its source lines."""

    file: str                  # the path as the user gave it (used in messages)
    data: object
    lines: List[str]
    values: Dict[PathKey, Tuple[int, int]] = msgspec.field(default_factory=dict)  # 1-based
    keys: Dict[PathKey, Tuple[int, int]] = msgspec.field(default_factory=dict)

    def loc(self, path: PathKey, key: bool = False) -> Location:
        """Location of the value (or, with key=True, the key) at `path`.

        Falls back to the nearest enclosing value that exists in the file.
        """
        table = self.keys if key else self.values
        path = tuple(path)
        while path not in table and path:
            path, table = path[:-1], self.values
        line, col = table.get(path, (1, 1))
        return self.at(line, col)

    def value(self, path: PathKey) -> object:
        """The loaded value at `path`."""
        value = self.data
        for p in path:
            value = value[p]
        return value

    def at(self, line: int, col: int) -> Location:
        source = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return Location(self.file, line, col, source)


class _TooDeep(Exception):
    def __init__(self, mark: yaml.Mark):
        self.mark = mark


class _Limits:
    """Composer mix-in: notes anchors, replaces aliases by null and limits depth."""

    def _start(self) -> None:
        self.depth = 0
        self.anchor_marks: List[Tuple[str, yaml.Mark]] = []

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            self.get_event()
            self.anchor_marks.append(("aliases ('*name')", event.start_mark))
            return yaml.ScalarNode("tag:yaml.org,2002:null", "", event.start_mark, event.end_mark)
        if getattr(event, "anchor", None) is not None:
            self.anchor_marks.append(("anchors ('&name')", event.start_mark))
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _TooDeep(event.start_mark)
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class _Composer(_Limits, yaml.SafeLoader):
    """The pure-Python parser and composer."""

    def __init__(self, text: str):
        yaml.SafeLoader.__init__(self, text)
        self._start()


_FastComposer = None
if getattr(yaml, "__with_libyaml__", False):
    class _FastComposer(_Limits, Composer, yaml.CSafeLoader):  # type: ignore[no-redef]
        """libyaml's parser (its events and marks) with the Python composer above."""

        def __init__(self, text: str):
            yaml.CSafeLoader.__init__(self, text)
            Composer.__init__(self)
            self._start()


def _compose(text: str) -> Tuple[Optional[yaml.Node], yaml.constructor.SafeConstructor, List[Tuple[str, yaml.Mark]]]:
    """(root node, the loader whose constructor makes its scalars, the anchors and aliases
    found) with libyaml; any error: the pure-Python parser's report."""
    if _FastComposer is not None:
        if "&" not in text and "*" not in text and _libyaml_limits_nesting():
            whole = _libyaml_composed(text)  # no anchor or alias can be in it: libyaml composes alone
            if whole is not None:
                return whole[0], whole[1], []
        fast = _FastComposer(text)
        try:
            return fast.get_single_node(), fast, fast.anchor_marks
        except yaml.YAMLError:
            pass
        finally:
            fast.dispose()
    composer = _Composer(text)
    try:
        return composer.get_single_node(), composer, composer.anchor_marks
    finally:
        composer.dispose()


@functools.lru_cache(maxsize=None)
def _libyaml_limits_nesting() -> bool:
    """Whether this libyaml stops at 1,000 levels of nesting (0.2.6 does, 0.2.5 does not):
    only then is its composer's recursion in C bounded, so it may compose a spec alone."""
    try:
        yaml.CSafeLoader("[" * 1001 + "]" * 1001).get_single_node()
    except yaml.YAMLError:
        return True
    return False


def _libyaml_composed(text: str) -> Optional[Tuple[Optional[yaml.Node], yaml.CSafeLoader]]:
    """(root node, loader) composed by libyaml itself, if that succeeds and nests at most
    MAX_DEPTH deep; else None, and the composers above report it."""
    whole = yaml.CSafeLoader(text)
    try:
        root = whole.get_single_node()
    except yaml.YAMLError:
        return None
    finally:
        whole.dispose()
    return None if _deeper_than(root, MAX_DEPTH) else (root, whole)


def _deeper_than(root: Optional[yaml.Node], limit: int) -> bool:
    """Whether nodes (keys too) nest more than `limit` deep, counting the root as 1."""
    stack = [(root, 1)] if root is not None else []
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(node, yaml.MappingNode):
            stack += [(n, depth + 1) for pair in node.value for n in pair]
        elif isinstance(node, yaml.SequenceNode):
            stack += [(n, depth + 1) for n in node.value]
    return False


def load(path: Union[str, Path], diags: Diagnostics, display: Optional[str] = None) -> Optional[Spec]:
    """Read and compose `path`; None (with diagnostics added) if it cannot be used."""
    name = display or str(path)
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            raw = fh.read(MAX_BYTES + 1) if size <= MAX_BYTES else b""
    except OSError as e:
        diags.add("RM0001", Location(name), reason=e.strerror or str(e))
        return None
    if max(size, len(raw)) > MAX_BYTES:
        diags.add("RM0002", Location(name), size=max(size, len(raw)), limit=MAX_BYTES)
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        lines = raw.decode("utf-8", "replace").splitlines()
        spec = Spec(name, None, lines)
        line, col = _line_col(raw[: e.start].decode("utf-8", "replace"))
        diags.add("RM0003", spec.at(line, col), byte=raw[e.start])
        return None
    spec = Spec(name, None, text.splitlines())
    try:
        root, constructor, anchors = _compose(text)
    except _TooDeep as e:
        diags.add("RM0010", spec.at(e.mark.line + 1, e.mark.column + 1), limit=MAX_DEPTH)
        return None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        problem = e.problem or e.context or "invalid YAML"
        at = spec.at(mark.line + 1, mark.column + 1) if mark else Location(name)
        quoting = hints.colon(at.source, at.col, problem) if mark else None
        if quoting:  # a ': ' inside an unquoted value: say so, and how to quote it
            diags.add("RM0083", at, **quoting)
        else:
            diags.add("RM0004", at, problem=problem)
        return None
    except yaml.YAMLError as e:  # reader errors: control characters, NUL bytes
        position = getattr(e, "position", 0)
        reason = getattr(e, "reason", None) or str(e)
        diags.add("RM0004", spec.at(*_line_col(text[:position])), problem=reason)
        return None
    for what, mark in anchors:
        diags.add("RM0006", spec.at(mark.line + 1, mark.column + 1), what=what)
    if root is None:
        diags.add("RM0008", Location(name))
        return None
    errors = len(diags)
    spec.data = _convert(root, (), spec, constructor, diags)
    return spec if len(diags) == errors and not anchors else None


def _line_col(prefix: str) -> Tuple[int, int]:
    """1-based line and column of the character just after `prefix`."""
    return prefix.count("\n") + 1, len(prefix) - (prefix.rfind("\n") + 1) + 1


def _short(tag: str) -> str:
    """`!!binary` for `tag:yaml.org,2002:binary`."""
    return tag.replace("tag:yaml.org,2002:", "!!", 1)


def _mark(node: yaml.Node) -> Tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _convert(node: yaml.Node, path: PathKey, spec: Spec, constructor: yaml.constructor.SafeConstructor,
             diags: Diagnostics) -> object:
    """Turn a composed node into plain data, recording locations and reporting misuse."""
    spec.values[path] = _mark(node)
    if isinstance(node, yaml.MappingNode):
        if node.tag != _MAP:
            diags.add("RM0009", spec.at(*_mark(node)), tag=_short(node.tag))
        out: Dict[str, object] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node, spec, constructor, diags) if isinstance(key_node, yaml.ScalarNode) else key_node
            if not isinstance(key, str):
                kind = _YAML_KINDS.get(type(key), "a mapping or list")
                shown = key_node.value if isinstance(key_node, yaml.ScalarNode) else "(complex key)"
                diags.add("RM0007", spec.at(*_mark(key_node)), key=shown, kind=kind)
                continue
            if key in out:
                first = spec.keys[path + (key,)]
                diags.add("RM0005", spec.at(*_mark(key_node)), key=key, line=first[0], col=first[1])
                continue
            spec.keys[path + (key,)] = _mark(key_node)
            out[key] = _convert(value_node, path + (key,), spec, constructor, diags)
        return out
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _SEQ:
            diags.add("RM0009", spec.at(*_mark(node)), tag=_short(node.tag))
        return [_convert(item, path + (i,), spec, constructor, diags) for i, item in enumerate(node.value)]
    return _scalar(node, spec, constructor, diags)


def _scalar(node: yaml.ScalarNode, spec: Spec, constructor: yaml.constructor.SafeConstructor,
            diags: Diagnostics) -> object:
    if node.tag == _TIMESTAMP:
        return node.value
    if node.tag not in _SCALAR_TAGS:
        diags.add("RM0009", spec.at(*_mark(node)), tag=_short(node.tag))
        return None
    if node.tag.endswith(":int") and len(node.value) > MAX_INT_DIGITS:
        diags.add("RM0011", spec.at(*_mark(node)), digits=len(node.value))
        return None
    try:
        return constructor.construct_object(node)
    except (yaml.constructor.ConstructorError, ValueError, KeyError, TypeError):
        diags.add("RM0055", spec.at(*_mark(node)), tag=_short(node.tag), value=node.value)
        return None

