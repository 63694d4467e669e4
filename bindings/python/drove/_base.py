"""What the package's owners of native handles share: a context manager and a finaliser
around their close()."""
from typing import Any, TypeVar

T = TypeVar("T", bound="Closing")


class Closing:
    def close(self) -> None:  # frees the native handles; safe to call twice
        raise NotImplementedError

    def __enter__(self: T) -> T:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # a half-built object, or interpreter shutdown
            pass
