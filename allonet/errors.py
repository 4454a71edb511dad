"""User-facing errors.

Anything the user can get wrong (a spec, an override, a path) raises :class:`UserError`.
The CLI turns it into a one-line message and exit code 2, with no traceback and nothing written.
"""

from __future__ import annotations


class UserError(Exception):
    """An error in user input: exit code 2, a single-line message."""

    exit_code = 2


class SpecError(UserError):
    """A spec file, field or value is invalid.

    The message always names the file, the dotted field path, the bad value and what is allowed.
    """

    def __init__(self, file: str | None, field: str, value: object, allowed: str) -> None:
        self.file = file
        self.field = field
        self.value = value
        self.allowed = allowed
        where = f"{file}: " if file else ""
        shown = "" if isinstance(value, dict | list) else f" = {value!r}"
        if field:
            super().__init__(f"{where}{field}{shown}: {allowed}")
        else:
            super().__init__(f"{where}{allowed}")

    def __reduce__(self):
        # Rebuilt from its fields when a worker process sends it back (sweeps, test pools).
        return type(self), (self.file, self.field, self.value, self.allowed)


class OutputExistsError(UserError):
    """The output file exists and ``--overwrite`` was not given."""

    def __init__(self, path: str) -> None:
        super().__init__(f"{path}: output exists; pass --overwrite to replace it")


class MemoryLimitError(UserError):
    """A run's estimated memory exceeds what is available (or ``--max-memory``); raised
    before anything is built."""
