"""What the loader accepts before the model sees it: sizes within limits, no control characters.

A 10 MB title is an input error, not a typesetting job: every text field and list of the project
files has a documented limit (:data:`TEXT_LIMITS`, :data:`LIST_LIMITS`), checked at gather time and
reported as ``file: entry.field: …`` (exit 2). Control characters (NUL, ESC, BEL…, and unpaired
surrogates) are removed from every string, with a warning naming the field, so they never reach a
PDF string or ``index.html``. Integers too long to be numbers (a 5,000-digit ``id``) are read as text.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection
from pathlib import Path
from typing import Any

import yaml

TEXT_LIMITS: dict[str, int] = {
    "id": 100,
    "title": 1_000,
    "name": 300,
    "family": 300,
    "affiliation": 500,
    "role": 200,
    "acronym": 200,
    "session": 300,
    "file": 500,
    "abstract": 20_000,
    "copyright": 20_000,
    "bio": 20_000,
}
"""Most characters of a text field, by field name (any YAML file)."""
DEFAULT_TEXT_LIMIT = 2_000
"""Most characters of any other text field."""
LIST_LIMITS: dict[str, int] = {"authors": 1_000, "editors": 200, "keywords": 200}
"""Most items of a list field, by field name."""
DEFAULT_LIST_LIMIT = 2_000
"""Most items of any other list."""
MAX_PAPERS = 5_000
"""Most papers in papers.yaml."""
MAX_PERSONS = 5_000
"""Most persons in organizers.yaml or committee.yaml."""
MAX_PREFACE = 100_000
"""Most characters of preface.md."""
MAX_YAML_BYTES = 20 * 1024 * 1024
"""Largest project YAML file."""
MAX_INT_DIGITS = 30
"""A YAML integer longer than this is kept as its text (ids like 000123 stay numbers of the tool's choosing)."""

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
"""C0 and C1 controls but tab, newline and carriage return; DEL; unpaired surrogates."""


def strip_controls(text: str) -> tuple[str, list[str]]:
    """``text`` without control characters, and the code points removed (U+001B…), in order of first sight."""
    found = list(dict.fromkeys(_CONTROL.findall(text)))
    if not found:
        return text, []
    return _CONTROL.sub("", text), [f"U+{ord(c):04X}" for c in found]


def _where(prefix: str, path: str) -> str:
    return ".".join(x for x in (prefix, path) if x).replace(".[", "[") or "(top level)"


def clean(data: Any, rel: str, prefix: str, problems: list[str], notices: list[str]) -> Any:
    """Check sizes and remove control characters in one entry's raw data (lists and mappings in place).

    Each problem or notice names ``rel`` (the file), the entry (``prefix``) and the field. Shared
    nodes (YAML aliases) are visited once.
    """
    seen: set[int] = set()

    def visit(value: Any, path: str, key: str) -> Any:
        if isinstance(value, str):
            limit = TEXT_LIMITS.get(key, DEFAULT_TEXT_LIMIT)
            if len(value) > limit:
                problems.append(f"{rel}: {_where(prefix, path)}: {len(value):,} characters, more than the limit of "
                                f"{limit:,}")
                return value[:limit]
            text, removed = strip_controls(value)
            if removed:
                notices.append(f"{rel}: {_where(prefix, path)}: control characters removed ({', '.join(removed)})")
            return text
        if id(value) in seen or not isinstance(value, (list, dict)):
            return value
        seen.add(id(value))
        if isinstance(value, list):
            limit = LIST_LIMITS.get(key, DEFAULT_LIST_LIMIT)
            if len(value) > limit:
                problems.append(f"{rel}: {_where(prefix, path)}: {len(value):,} items, more than the limit of "
                                f"{limit:,}")
                del value[limit:]
            for i, item in enumerate(value):
                value[i] = visit(item, f"{path}[{i}]", key)
        else:
            for k in list(value):
                if isinstance(k, str):
                    value[k] = visit(value[k], f"{path}.{k}" if path else k, k)
        return value

    return visit(data, "", "")


def check_count(rel: str, items: list, limit: int, what: str, problems: list[str]) -> bool:
    """Whether a top-level list is within ``limit`` (else one problem naming the file)."""
    if len(items) > limit:
        problems.append(f"{rel}: (top level): {len(items):,} {what}, more than the limit of {limit:,}")
        return False
    return True


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    """A YAML integer, or its text when it is too long to be a number (never Python's int-str limit)."""
    text = loader.construct_scalar(node)
    if len(str(text)) > MAX_INT_DIGITS:
        return str(text)
    return yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)


def install(loader: type) -> None:
    """Teach a YAML loader class to read long integers as text."""
    loader.add_constructor("tag:yaml.org,2002:int", _construct_int)


# --------------------------------------------------------------------------- YAML


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when the wheel has it
    """A safe loader that refuses duplicate mapping keys instead of keeping the last, and reads the plain values of
    the keys in ``verbatim`` as the text written."""

    verbatim: Collection[str] = ()


_AS_WRITTEN = frozenset(f"tag:yaml.org,2002:{kind}" for kind in ("int", "float", "bool", "timestamp"))
"""What YAML 1.1 makes of a plain scalar that a key in ``verbatim`` keeps as written: 017 (octal 15), 0x1A, 1_0_0,
12:30 (sexagesimal 750), 1.50, yes, 2025-04-28."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        if (isinstance(key_node, yaml.ScalarNode) and key_node.value in loader.verbatim
                and isinstance(value_node, yaml.ScalarNode) and not value_node.style
                and value_node.tag in _AS_WRITTEN):  # plain (style None, or '' from libyaml)
            value_node.tag = "tag:yaml.org,2002:str"
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:
            mark = key_node.start_mark
            raise yaml.constructor.ConstructorError(
                None, None, f"a {type(key).__name__} cannot be a key (line {mark.line + 1})", mark) from None
        if key in seen:
            mark = key_node.start_mark
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (line {mark.line + 1}, column {mark.column + 1})", mark
            )
        seen[key] = True
    return loader.construct_mapping(node, deep=deep)


def _construct_timestamp(loader: _UniqueKeyLoader, node: yaml.ScalarNode) -> Any:
    """A date or time; one that looks like a date and is none (2025-13-45) stays text, so that the field's own check
    names the field (YAML's error names only the file)."""
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_UniqueKeyLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
install(_UniqueKeyLoader)  # a 5,000-digit integer is read as text, not as a number


def parse_yaml(text: str, verbatim: Collection[str] = ()) -> Any:
    """YAML text as a project file is read (duplicate keys refused, the plain values of the keys in ``verbatim`` as
    written); raises ``yaml.YAMLError``."""
    loader = _UniqueKeyLoader(text)
    loader.verbatim = frozenset(verbatim)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def not_a_file(path: Path, rel: str) -> str | None:
    """The problem with ``path`` (``rel``), no regular file, when something is there all the same: a folder, a pipe
    or a device where the file should be, or a symbolic link to nothing (meant to be there, an optional file too:
    not taken for one left out); None when nothing is."""
    if path.exists():
        return f"{rel}: not a file"
    if path.is_symlink():
        return f"{rel}: a symbolic link to {os.readlink(path)!r}, which is not there"
    return None


def read_yaml(root: Path, rel: str, problems: list[str], required: bool = True,
              verbatim: Collection[str] = ()) -> Any:
    """The data of one project YAML file, or None with the problem added to ``problems``.

    The plain values of the keys in ``verbatim`` are read as written (``id: 017`` is "017", not octal 15)."""
    path = root / rel
    if not path.is_file():
        why = not_a_file(path, rel)
        if why or required:
            problems.append(why or f"{rel}: file not found")
        return None
    try:
        if path.stat().st_size > MAX_YAML_BYTES:
            problems.append(f"{rel}: (top level): larger than the limit of {MAX_YAML_BYTES:,} bytes")
            return None
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(f"{rel}: not UTF-8 text ({exc.reason} at byte {exc.start})")
        return None
    except OSError as exc:
        problems.append(f"{rel}: cannot be read ({exc.strerror})")
        return None
    data, problem = parse_yaml_or_problem(text, verbatim)
    if problem:
        problems.append(f"{rel}: {problem}")
    return data


def parse_yaml_or_problem(text: str, verbatim: Collection[str] = ()) -> tuple[Any, str | None]:
    """:func:`parse_yaml`'s data, or None and why the text cannot be read ("line 3, column 5: YAML syntax error: …",
    "a value cannot be read: …")."""
    try:
        return parse_yaml(text, verbatim), None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        what = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        return None, f"{where}YAML syntax error: {what}" + (f" ({context})" if context else "")
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:  # a date like 2025-13-45, deep nesting
        return None, f"a value cannot be read: {str(exc)[:200] or type(exc).__name__}"
