"""The checks' results kept between builds: in the output folder's journal (``.cache/validation.jsonl``) and the
shared cache, by :func:`cache_key` (the file's content, the rules, the tool, the paper's title and authors)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from proceedings.context import BuildContext
from proceedings.project.model import Rules
from proceedings.stages.gather import Source
from proceedings.util.atomic import json_bytes, write_bytes
from proceedings.util.cache import digest, seal, shared_dir, unseal
from proceedings.util.journal import Journal

log = logging.getLogger(__name__)

CHECKS_VERSION = "8"
"""Bump when the engine (opening, text layer, cached facts) changes; a single check changing bumps only its own
``version`` (see :mod:`proceedings.checks.registry`), and only its results are computed again."""

CACHE_FILE = Path(".cache") / "validation.jsonl"
"""Under the output folder: the results by :func:`cache_key`."""


def nothing_cached(ctx: BuildContext) -> bool:
    """Whether no check's result can be looked up for this build (no cache of them, or none to be used)."""
    return not ctx.use_cache or (shared_dir("validation") is None and not (ctx.out_dir / CACHE_FILE).exists())


def cache_key(source: Source, rules: Rules) -> str:
    """Digest of what a result depends on: the file, the rules, the tool, the paper's title and authors."""
    venue = rules.model_dump(mode="json", exclude={"time_limit", "memory_limit_mb"})
    return digest("validation", CHECKS_VERSION, source.sha256, venue, source.paper.title,
                  [[a.name, a.family] for a in source.paper.authors])


class ResultCache:
    """Validation results by :func:`cache_key`: the output folder's journal, then the shared cache's file of the
    key (``$PROCEEDINGS_CACHE_DIR/validation/KEY.json``, see :func:`~proceedings.util.cache.shared_dir`), which
    is then recorded in the journal too."""

    def __init__(self, out_dir: Path) -> None:
        self.journal = Journal(Path(out_dir) / CACHE_FILE)
        self.shared = shared_dir("validation")

    def get(self, key: str) -> dict[str, Any] | None:
        """The result cached under ``key``; None when there is none (or it is damaged: logged)."""
        data = _result(self.journal.get(key))
        if data is not None or self.shared is None:
            return data
        name = f"{key}.json"
        try:
            data = _result(unseal(json.loads((self.shared / name).read_bytes().decode("utf-8")), name))
        except (OSError, ValueError):
            return None
        if data is not None:
            self._keep(key, data)
        return data

    def put(self, key: str, data: dict[str, Any]) -> None:
        """Cache ``data`` under ``key`` (in the shared cache too, when there is one); a cache that cannot be written
        is only a slower next run."""
        self._keep(key, data)
        if self.shared is not None:
            try:
                write_bytes(self.shared / f"{key}.json", json_bytes(seal(data), pretty=False))
            except OSError as exc:
                log.debug("cannot write the shared validation cache: %s", exc)

    def tidy(self, keys: set[str]) -> None:
        """Keep only the results of ``keys`` (the papers as they are now), once most are of files since replaced."""
        self.journal.tidy(keys)

    def _keep(self, key: str, data: dict[str, Any]) -> None:
        try:
            self.journal.put(key, data)
        except OSError as exc:
            log.debug("cannot write the validation cache %s: %s", self.journal.path, exc)


def _result(data: dict[str, Any] | None) -> dict[str, Any] | None:
    """``data`` when it is a validation result."""
    return data if isinstance(data, dict) and isinstance(data.get("findings"), list) else None


def stale_checks(cached: dict[str, Any], current: dict[str, str]) -> list[str] | None:
    """Ids of the checks whose cached results are missing or of another version; None when all are current."""
    checks = cached.get("checks")
    if not cached.get("usable"):
        return None  # no check ran on a file that cannot be used
    if not isinstance(checks, dict):
        return list(current)
    stale = [cid for cid, version in current.items()
             if not isinstance(checks.get(cid), dict) or checks[cid].get("version") != version]
    return stale or None


def with_rerun(cached: dict[str, Any] | None, fresh: dict[str, Any], current: dict[str, str]) -> dict[str, Any]:
    """A cached result with the checks just run again replaced; findings in check order."""
    if cached is None or not isinstance(cached.get("checks"), dict):
        return fresh
    checks = {cid: cached["checks"][cid] for cid in current if cid in cached["checks"]}
    checks.update(fresh.get("checks", {}))
    opening = [f for f in fresh["findings"]
               if not any(f in c.get("findings", []) for c in fresh.get("checks", {}).values())]
    merged = dict(fresh, checks=checks)
    merged["findings"] = opening + [f for cid in current for f in checks.get(cid, {}).get("findings", [])]
    return merged
