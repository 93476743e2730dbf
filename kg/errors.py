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

    @property
    def headers(self) -> dict[str, str]:
        """HTTP headers that go with this error's response (none by default)."""
        return {}


class ConfigError(KgError):
    """A setting has an unusable value."""

    exit_code = 2


class UsageError(ConfigError):
    """A command-line argument that cannot be used as given (an output file that cannot
    be written, a port out of range)."""


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

    def __reduce__(self) -> tuple[object, ...]:  # to come back from a worker process
        return (SeedError, (self.path, self.line, self.problem, self.fix, self.column))


class SeedErrors(KgError):
    """Several seed errors, reported together so one build shows them all."""

    exit_code = 3

    def __init__(self, errors: list[SeedError]) -> None:
        self.errors = errors
        lines = [str(e) for e in errors]
        head = f"{len(errors)} problems in the seeds:" if len(errors) > 1 else ""
        super().__init__("\n".join([head, *lines]) if head else lines[0])

    def __reduce__(self) -> tuple[object, ...]:
        return (SeedErrors, (self.errors,))


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


class DraftError(KgError):
    """``kg draft`` could not get a usable answer from the model's endpoint."""

    exit_code = 9


class PublishError(KgError):
    """``kg publish --to``: the SPARQL store cannot be reached, refuses a request, or
    holds something other than what was sent. What is live there is unchanged."""

    exit_code = 10


# --- HTTP requests --------------------------------------------------------------------
# The server answers every failed request from one of the errors below (or NoRelease,
# QueryError and their kin above) through one handler (kg.server.failures): the status,
# a one-line plain-text message, and the headers the status calls for (RFC 9110,
# section 15). Nothing else in the server builds an error response.


class RequestError(KgError):
    """A request the server cannot answer as asked (RFC 9110, section 15.5)."""

    http_status = 400

    def __init__(self, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self._headers = dict(headers or {})

    @property
    def headers(self) -> dict[str, str]:
        return dict(self._headers)


class NotFound(RequestError):
    """No such resource. ``html``: a page for browsers (a 404 page with suggestions);
    other clients get the one-line message."""

    http_status = 404

    def __init__(self, message: str, html: str | None = None) -> None:
        super().__init__(message)
        self.html = html


class UnknownRelease(NotFound):
    """A URL names a release that is not kept (never built, or pruned by a later build);
    the message lists the releases that are."""


class MethodNotAllowed(RequestError):
    """An HTTP method the resource does not offer."""

    http_status = 405

    def __init__(self, message: str, allow: str) -> None:
        super().__init__(message, {"Allow": allow})
        self.allow = allow


class NotAcceptable(RequestError):
    """No representation the client accepts is on offer (RFC 9110, section 15.5.7)."""

    http_status = 406

    def __init__(self, message: str) -> None:
        super().__init__(message, {"Vary": "Accept"})


class RequestTimeout(RequestError):
    """The request's body did not arrive in time (``KG_BODY_TIMEOUT``); the connection
    is closed."""

    http_status = 408

    def __init__(self, message: str) -> None:
        super().__init__(message, {"Connection": "close"})


class PreconditionFailed(RequestError):
    """If-Match, If-Unmodified-Since, or If-None-Match on a POST (RFC 9110, 13.1)."""

    http_status = 412


class RequestTooLarge(RequestError):
    """A request body (or query) above the limit; refused before the body is read, and
    the connection is closed rather than drained."""

    http_status = 413

    def __init__(self, message: str) -> None:
        super().__init__(message, {"Connection": "close"})


class UnsupportedMediaType(RequestError):
    """A POST body that is neither a form nor ``application/sparql-query`` in UTF-8."""

    http_status = 415


class RangeNotSatisfiable(RequestError):
    """A byte range outside the file (RFC 9110, section 15.5.17)."""

    http_status = 416

    def __init__(self, size: int) -> None:
        super().__init__(
            f"range not satisfiable: the file has {size} bytes",
            {"Content-Range": f"bytes */{size}"},
        )


class InternalError(KgError):
    """A bug: the server log has the traceback, under ``reference``; the client gets
    the reference only."""

    http_status = 500

    def __init__(self, reference: str) -> None:
        super().__init__(f"internal error; the server log has the details (ref {reference})")
        self.reference = reference


# --- The SPARQL endpoint (SPARQL 1.1 Protocol, section 2.1) --------------------------


class ProtocolError(RequestError):
    """A request that breaks the SPARQL 1.1 Protocol (a missing or doubled parameter)."""

    exit_code = 7


class QueryTooDeep(QueryError):
    """A query nested deeper than the parser can take (brackets, parentheses, ``!``):
    refused before it reaches the engine."""


class QueryRefused(QueryError):
    """An update: the endpoint is read-only."""

    http_status = 403


class ServiceRefused(QueryError):
    """A SERVICE call to an endpoint off the allow-list (or one that cannot be checked):
    a 400, decided before the query runs, so no connection is ever attempted."""


class QueryTimeout(QueryError):
    """The query ran past ``KG_QUERY_TIMEOUT`` and was stopped."""

    http_status = 504


class QueryFailed(QueryError):
    """The query was valid but failed while it ran (a SERVICE endpoint down, a crash)."""

    http_status = 500


class ServiceEndpointFailed(QueryFailed):
    """An allow-listed SERVICE endpoint did not answer or answered with an error."""

    http_status = 502


class ServerBusy(KgError):
    """Every query worker stayed busy for the whole wait; try again shortly."""

    exit_code = 7
    http_status = 503

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": "1"}
