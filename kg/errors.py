"""One exception hierarchy. Each error knows its exit code and its HTTP status, and
says what was wrong, where, and what to do."""

from __future__ import annotations

from pathlib import Path


class KgError(Exception):
    """Base of every error the tool reports to a person rather than as a traceback."""

    exit_code = 1
    http_status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(KgError):
    """A setting has an unusable value."""

    exit_code = 2


class SeedError(KgError):
    """Something in ``seeds/`` (or the ontology and shapes) is wrong: file, line, fix."""

    exit_code = 3

    def __init__(
        self, path: Path | str, line: int | None, problem: str, fix: str, column: int | None = None
    ) -> None:
        self.path = Path(path)
        self.line = line
        self.column = column
        self.problem = problem
        self.fix = fix
        where = str(path)
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: {problem} — {fix}")


class SeedErrors(KgError):
    """Several seed errors, reported together so one build shows them all."""

    exit_code = 3

    def __init__(self, errors: list[SeedError]) -> None:
        self.errors = errors
        lines = [str(e) for e in errors]
        head = f"{len(errors)} problems in the seeds:" if len(errors) > 1 else ""
        super().__init__("\n".join([head, *lines]) if head else lines[0])


class ValidationFailed(KgError):
    """The compiled graph violates the SHACL shapes; no release is made."""

    exit_code = 4

    def __init__(self, report: str, count: int) -> None:
        self.report = report
        self.count = count
        super().__init__(f"SHACL validation failed with {count} violation(s):\n{report}")


class NoRelease(KgError):
    """There is no current release to read."""

    exit_code = 5
    http_status = 503


class ReleaseError(KgError):
    """Writing a release failed; the previous release is untouched."""

    exit_code = 6


class QueryError(KgError):
    """A SPARQL query that cannot be run as given (syntax, refused feature)."""

    exit_code = 7
    http_status = 400


class LinkError(KgError):
    """Talking to Wikidata failed, or a link cannot be accepted as asked."""

    exit_code = 8
