"""A total deadline for one HTTP exchange with the model API.

httpx's timeouts bound each connect, write and read, not the whole call: a server that
sends one byte every half second never trips a 2-second read timeout and can hold a run
for as long as it likes. `DeadlineTransport` wraps the real transport and checks the clock
after the headers and after every chunk of the body; past the deadline it closes the
response and raises httpx's own `ReadTimeout`, which the SDK turns into a timeout error the
client retries and then falls back from, like any other fault of the line.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator

import httpx2


class DeadlineTransport(httpx2.BaseTransport):
    def __init__(
        self,
        inner: httpx2.BaseTransport,
        deadline_seconds: float,
        *,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._inner = inner
        self._deadline = deadline_seconds
        self._now = now

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        started = self._now()
        response = self._inner.handle_request(request)
        self._check(started, request, response)
        # A transport's stream is any iterable of bytes (a SyncByteStream from the real
        # transport, a plain iterator from a mock); read it chunk by chunk either way.
        stream: Iterable[bytes] = response.stream  # type: ignore[assignment]
        return httpx2.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_DeadlineStream(self, stream, started, request, response),
            extensions=response.extensions,
        )

    def _check(self, started: float, request: httpx2.Request, response: httpx2.Response) -> None:
        if self._now() - started > self._deadline:
            close = getattr(response.stream, "close", None)
            if close is not None:
                close()  # frees the connection; the rest of the body is never read
            raise httpx2.ReadTimeout(
                f"no complete reply within {self._deadline:g} s (total deadline)", request=request
            )

    def close(self) -> None:
        self._inner.close()


class _DeadlineStream(httpx2.SyncByteStream):
    def __init__(
        self,
        transport: DeadlineTransport,
        stream: Iterable[bytes],
        started: float,
        request: httpx2.Request,
        response: httpx2.Response,
    ) -> None:
        self._transport = transport
        self._stream = stream
        self._started = started
        self._request = request
        self._response = response

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._stream:
            self._transport._check(self._started, self._request, self._response)
            yield chunk

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()


__all__ = ["DeadlineTransport"]
