"""A broken rule in a source file, said the way a curator can act on it."""

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Violation:
    file: str
    row: int
    field: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}, row {self.row}, field '{self.field}': {self.message} [rule: {self.rule}]"


class SourceValidationError(Exception):
    """Raised before anything is written: the run stops and published tables stay as they were."""

    def __init__(self, violations: list[Violation]):
        self.violations = sorted(set(violations))
        shown = "\n".join(f"- {v}" for v in self.violations[:20])
        more = len(self.violations) - 20
        tail = f"\n- ... and {more} more" if more > 0 else ""
        super().__init__(f"{len(self.violations)} problem(s) in the source files:\n{shown}{tail}")
