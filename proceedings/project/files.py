"""Reading project files: YAML that refuses duplicate keys, and pydantic validation whose problems read
"file: entry.field: message" and are collected, never raised one at a time."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when the wheel has it
    """A safe loader that refuses duplicate mapping keys instead of keeping the last."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, Any] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            mark = key_node.start_mark
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (line {mark.line + 1}, column {mark.column + 1})", mark
            )
        seen[key] = True
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(root: Path, rel: str, problems: list[str], required: bool = True) -> Any:
    """The YAML of ``root/rel``, or None with a problem ("file: line, column: YAML syntax error: …") added."""
    path = root / rel
    if not path.is_file():
        if required:
            problems.append(f"{rel}: file not found")
        return None
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(f"{rel}: not UTF-8 text ({exc.reason} at byte {exc.start})")
        return None
    except OSError as exc:
        problems.append(f"{rel}: cannot be read ({exc.strerror})")
        return None
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        what = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        problems.append(f"{rel}: {where}YAML syntax error: {what}" + (f" ({context})" if context else ""))
        return None


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _pydantic_problems(rel: str, prefix: str, exc: ValidationError) -> list[str]:
    problems = []
    for err in exc.errors(include_url=False):
        # pydantic nests union/literal members in loc; keep the field path only
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith(("function-", "literal["))))
        field = _loc(loc)
        where = ".".join(x for x in (prefix, field) if x).replace(".[", "[")
        msg = err["msg"]
        if err["type"] == "missing":
            msg = "field required"
        elif err["type"] == "extra_forbidden":
            msg = "unknown field (a typo?)"
        elif msg.startswith("Value error, "):
            msg = msg[len("Value error, "):]
        problems.append(f"{rel}: {where or '(top level)'}: {msg}")
    return problems


def _drop(data: Any, loc: tuple) -> None:
    for part in loc[:-1]:
        data = data[part]
    data.pop(loc[-1], None)


def validate_into(model: type[BaseModel], data: Any, rel: str, prefix: str, problems: list[str],
              notices: list[str]) -> Any:
    """Validate; unknown fields are ignored with a notice (beside a real problem, they are problems too)."""
    data = copy.deepcopy(data)
    for _ in range(3):
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
            extra = [e for e in errors if e["type"] == "extra_forbidden"]
            if len(extra) != len(errors):
                problems.extend(_pydantic_problems(rel, prefix, exc))
                return None
            for err in extra:
                where = ".".join(x for x in (prefix, _loc(tuple(err["loc"]))) if x).replace(".[", "[")
                notices.append(f"{rel}: {where}: unknown field, ignored (a typo?)")
                try:
                    _drop(data, tuple(err["loc"]))
                except (KeyError, IndexError, TypeError):
                    problems.append(f"{rel}: {where}: unknown field (a typo?)")
                    return None
    return None
