"""Validating project files: pydantic problems read "file: entry.field: message" and are collected, never
raised one at a time; sizes and control characters are checked first (:mod:`proceedings.project.inputs`).
YAML itself is read by :func:`proceedings.project.inputs.read_yaml`."""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel, ValidationError

from proceedings.project import inputs
from proceedings.project.inputs import read_yaml

__all__ = ["read_yaml", "validate_into"]


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
    try:
        data = inputs.clean(copy.deepcopy(data), rel, prefix, problems, notices)  # sizes, control characters
    except RecursionError:  # lists in lists hundreds deep: no field of a project is
        problems.append(f"{rel}: {prefix or '(top level)'}: nested too deeply to be read")
        return None
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


def id_text(value: Any) -> Any:
    """A paper id written as a YAML number (``id: 17``) read as the text it names ("17"); anything else,
    booleans included, left for validation to judge."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

