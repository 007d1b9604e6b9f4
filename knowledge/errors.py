"""The errors every layer raises or reports, in a module that imports nothing, so the command line can catch
them before it has loaded anything heavy."""

from __future__ import annotations


class InputError(ValueError):
    """Something a person typed cannot be used (a profile, a request, an option); the message says why, for them."""


class ContentError(Exception):
    """The content folder does not load; each problem names its file."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems
