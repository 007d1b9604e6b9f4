"""Reading YAML with libyaml's parser when PyYAML has it: the content loads on every start, and the pure-Python
parser spent most of `advisor ask`'s start-up on it."""

from __future__ import annotations

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(text: str) -> object:
    """What yaml.safe_load gives, faster."""
    return yaml.load(text, Loader=_LOADER)
