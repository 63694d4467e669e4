"""Exceptions of the drove package: every failed call raises a DroveError subclass."""
import json
from typing import Any, List, Optional

from . import native


class DroveError(Exception):
    """A libdrove call failed.

    message: the controller's (or the library's) message; code: the DROVE_E* code;
    status: the HTTP status of the failed API call (0 when none answered);
    data: the failed envelope's data, parsed (None when there was none);
    validation_errors: the API's data.validationErrors (400 "Command validation failure"),
    one message per entry, as the controller sent them ([] when there were none).
    """

    def __init__(self, message: str, code: int = native.DROVE_ERROR, status: int = 0,
                 data: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.data = data
        ve = data.get("validationErrors") if isinstance(data, dict) else None
        self.validation_errors: List[str] = [str(v) for v in ve] if isinstance(ve, list) else []


class ValidationError(DroveError, ValueError):
    """Bad input: a 400 from the API (see validation_errors) or an argument libdrove refused."""


class NotFoundError(DroveError, LookupError):
    """No such application, instance, task, service, executor or log file."""


class AuthError(DroveError):
    """401/403: missing or wrong credentials, or a role that may not make the call."""


class UnavailableError(DroveError):
    """No controller answered as leader (retryable)."""


class TimeoutError(DroveError):  # noqa: A001 - drove.TimeoutError, not the builtin
    """A call, or a wait, did not finish in time."""


_BY_CODE = {
    native.DROVE_EINVAL: ValidationError,
    native.DROVE_ENOTFOUND: NotFoundError,
    native.DROVE_EAUTH: AuthError,
    native.DROVE_EUNAVAIL: UnavailableError,
    native.DROVE_ETIMEOUT: TimeoutError,
}


def from_last(exc: BaseException, client: Optional[Any] = None) -> DroveError:
    """The DroveError for the native exception just raised on this thread (the thread's
    drove_error_last() and, for client calls, the client's last status and error data)."""
    if isinstance(exc, MemoryError):
        raise exc
    err = native.drove_error_last()
    code = err.code if err.code < 0 else native.DROVE_ERROR
    status, data = 0, None
    if client is not None:
        status = native.drove_client_last_status(client)
        text = native.drove_client_last_error_data(client)
        if text:
            try:
                data = json.loads(text)
            except ValueError:
                data = text
    return _BY_CODE.get(code, DroveError)(str(exc), code, status, data)
