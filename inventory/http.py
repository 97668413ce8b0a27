"""Request-body plumbing for the import endpoints: read a body as a stream from a synchronous endpoint.

Import endpoints are plain `def` functions (FastAPI runs them in a worker thread) because the services they call
are synchronous. They pull the body chunk by chunk from the event loop with `anyio.from_thread`, so an import of
any size is processed as it arrives and never held in memory whole.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

import anyio.from_thread
from fastapi import Request

from inventory.imports import buffered
from tracker.errors import Invalid, TooLarge

# A JSON array must be parsed whole; larger batches should be sent as NDJSON, which streams.
MAX_JSON_ARRAY_BYTES = 32 * 1024 * 1024


def body_chunks(request: Request) -> Iterator[bytes]:
    """The request body, chunk by chunk, read from a worker thread."""
    stream = request.stream().__aiter__()

    async def next_chunk() -> bytes:
        return await stream.__anext__()

    while True:
        try:
            chunk = anyio.from_thread.run(next_chunk)
        except StopAsyncIteration:
            return
        if chunk:
            yield chunk


def body_stream(request: Request) -> IO[bytes]:
    """The request body as a buffered binary stream (with readline), for the import readers."""
    return buffered(body_chunks(request))


def json_array_body(request: Request) -> Any:
    """The body parsed as JSON, refusing bodies over `MAX_JSON_ARRAY_BYTES` with 413."""
    data = bytearray()
    for chunk in body_chunks(request):
        data += chunk
        if len(data) > MAX_JSON_ARRAY_BYTES:
            raise TooLarge(
                f"A JSON array body may hold at most {MAX_JSON_ARRAY_BYTES:,} bytes; send larger batches as "
                "application/x-ndjson, which is streamed."
            )
    try:
        return json.loads(bytes(data))
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise Invalid("The body is not valid JSON.", field="body") from exc
