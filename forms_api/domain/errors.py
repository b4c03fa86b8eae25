"""What the domain refuses, for the layer above to answer: every problem of a submission at
once (:class:`Invalid`, 422), or a state that does not allow it (:class:`Conflict`, 409).

Kept apart from :mod:`.submissions` so that the pure workflow can raise :class:`Invalid`
without depending on storage.
"""

from __future__ import annotations


class Invalid(Exception):
    """Problems with a submission, by field name (one-shot notice: all of them)."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


class Conflict(Exception):
    """A submission the stored state refuses (a second rating for one receipt); the message is Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
