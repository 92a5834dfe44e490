"""A short, stable digest of a component's settings, so that its version changes when they do."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any


def settings_digest(settings: Mapping[str, Any]) -> str:
    """8 hex digits of the JSON form of ``settings`` (keys sorted; values JSON-able: numbers, strings, lists…)."""
    raw = json.dumps(settings, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(raw.encode()).hexdigest()[:8]
