"""A copy of the content folder with one sentence of copy.yaml edited, for the tests that a student-facing
sentence is read from the YAML on every platform."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

CONTENT = Path(__file__).resolve().parent.parent / "knowledge" / "content"


def edited_copy(folder: Path, key: str, text: str, platform: str = "default") -> Path:
    """The content folder copied into `folder`, with copy.yaml's `key` (its `platform` variant) set to `text`."""
    target = folder / "content"
    shutil.copytree(CONTENT, target)
    path = target / "copy.yaml"
    copy = yaml.safe_load(path.read_text(encoding="utf-8"))
    value = copy[key] if isinstance(copy[key], dict) else {"default": copy[key]}
    value[platform] = text
    copy[key] = value
    path.write_text(yaml.safe_dump(copy, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return target
