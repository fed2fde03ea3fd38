"""The one error type the domain raises, with a Chinese and an English message."""


class DomainError(Exception):
    """A refused operation. Nothing has been changed when it is raised (the caller rolls back).

    ``code`` is stable for API clients; ``http_status`` maps it onto the JSON API's status codes;
    ``field`` names the offending input where there is one.
    """

    http_status = 400
    code = "invalid"

    def __init__(self, message_zh: str, message_en: str, *, field: str | None = None, code: str | None = None,
                 current: dict | None = None):
        super().__init__(message_en)
        self.message_zh = message_zh
        self.message_en = message_en
        self.field = field
        # The state the refusal was decided on (a case's stage, a finding's status): a request that lost a
        # race to another learns what it lost to.
        self.current = current
        if code:
            self.code = code

    def __str__(self) -> str:
        return f"{self.message_zh} / {self.message_en}"


class InvalidInput(DomainError):
    http_status = 400
    code = "invalid"


class NotFound(DomainError):
    http_status = 404
    code = "not_found"


class Forbidden(DomainError):
    http_status = 403
    code = "forbidden"


class TransitionRefused(DomainError):
    """The ladder does not allow this step from the current state."""

    http_status = 409
    code = "transition_refused"


class Conflict(DomainError):
    http_status = 409
    code = "conflict"
