"""Read and validate a large import file in a second process while this one writes.

Reading, parsing and validating a row costs about as much CPU as writing it and its audit event, and SQLite writes
from one connection only; so for a big file (`PARALLEL_MIN_BYTES`) a worker process does the first half and sends
validated rows through a pipe in batches, while the importing process classifies, writes and audits them. The
result is the same as the sequential path (tests compare them): same rows, same errors (line, field, message),
same all-or-nothing transaction, which only the importing process holds. The worker is a fresh interpreter
(`python -m inventory.parallel`; a fork would copy open database connections) that never touches the database
and sends pickled batches on its stdout; if the importer dies, the worker's next write fails and it exits.
"""

from __future__ import annotations

import importlib
import os
import pickle
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError
from sqlmodel import Session

from inventory.imports import (
    BATCH_ROWS,
    ErrorCollector,
    ImportFormat,
    ImportResult,
    Row,
    RowValidator,
    UpsertSpec,
    import_stream,
    read_rows,
    upsert,
    validation_messages,
)
from tracker.auth.models import Principal
from tracker.errors import ErrorDetail, Invalid

# Below this size the worker's start-up (about a second of imports) costs more than it saves.
PARALLEL_MIN_BYTES = 16 * 1024 * 1024


def load_spec(ref: str) -> UpsertSpec:
    """The UpsertSpec named by 'module:attribute' (a worker rebuilds it by import, not by pickling)."""
    module, _, name = ref.partition(":")
    spec = getattr(importlib.import_module(module), name)
    if not isinstance(spec, UpsertSpec):
        raise TypeError(f"{ref} is not an UpsertSpec")
    return spec


def _details(errors: ErrorCollector, start: int) -> list[tuple[str, str | None, int | None]]:
    return [(d.message, d.field, d.line) for d in errors.details[start:]]


def _work(out: IO[bytes], path: str, fmt: str, spec_ref: str) -> None:
    """Worker: read, parse and validate `path`; send ("rows", rows, errors so far, bytes read) batches, then "done"."""

    def send(message: tuple[Any, ...]) -> None:
        pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()

    try:
        spec = load_spec(spec_ref)
        validate = RowValidator(spec.create_model).validate
        errors = ErrorCollector()
        position = [0]
        sent = 0
        batch: list[Row] = []

        def flush() -> None:
            nonlocal batch, sent
            send(("rows", batch, errors.count, _details(errors, sent), position[0]))
            sent = len(errors.details)
            batch = []

        with open(path, "rb") as stream:
            rows = read_rows(
                stream,
                ImportFormat(fmt),
                columns=spec.columns,
                errors=errors,
                progress=lambda done: position.__setitem__(0, done),
            )
            for line, raw in rows:
                try:
                    batch.append((line, validate(raw)))
                except ValidationError as exc:
                    for name, message in validation_messages(exc, spec.columns.required):
                        errors.add(line, name, message)
                if len(batch) >= BATCH_ROWS:
                    flush()
        flush()
        send(("done",))
    except Invalid as exc:
        send(("invalid", exc.message, [(d.message, d.field, d.line) for d in exc.errors]))
    except BrokenPipeError:
        return
    except Exception as exc:  # noqa: BLE001 - reported to the importing process, which raises it
        send(("failed", f"{type(exc).__name__}: {exc}"))


def validated_rows(
    path: Path,
    fmt: ImportFormat,
    *,
    spec_ref: str,
    errors: ErrorCollector,
    progress: Callable[[int], None] | None = None,
) -> Iterator[Row]:
    """(line, validated JSON-ready values) for each good row of `path`, read by a worker process.

    Problems the worker finds are added to `errors` as their batches arrive; header problems and an empty file
    raise Invalid here, as in the sequential reader.
    """
    worker = subprocess.Popen(
        [sys.executable, "-m", "inventory.parallel", str(path), fmt.value, spec_ref],
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert worker.stdout is not None
    merged = 0
    try:
        while True:
            try:
                message: tuple[Any, ...] = pickle.load(worker.stdout)
            except EOFError:
                raise RuntimeError(
                    f"the import's reader process ended without finishing (exit status {worker.wait()})"
                ) from None
            kind = message[0]
            if kind == "rows":
                _, rows, total, details, position = message
                errors.merge([ErrorDetail(message=m, field=f, line=n) for m, f, n in details], total - merged)
                merged = total
                if progress is not None:
                    progress(position)
                yield from rows
            elif kind == "done":
                return
            elif kind == "invalid":
                raise Invalid(message[1], errors=[ErrorDetail(message=m, field=f, line=n) for m, f, n in message[2]])
            else:
                raise RuntimeError(f"the import's reader process failed: {message[1]}")
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.wait()
        worker.stdout.close()


def import_path(
    *,
    session: Session,
    path: Path,
    fmt: ImportFormat,
    spec_ref: str,
    actor: Principal,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import a file all-or-nothing, reading it in a worker process when it is big enough to pay off."""
    spec = load_spec(spec_ref)
    if path.stat().st_size < PARALLEL_MIN_BYTES:
        with path.open("rb") as stream:
            return import_stream(
                session=session, stream=stream, fmt=fmt, spec=spec, actor=actor, dry_run=dry_run, progress=progress
            )
    errors = ErrorCollector()
    rows = validated_rows(path, fmt, spec_ref=spec_ref, errors=errors, progress=progress)
    return upsert(session=session, rows=rows, spec=spec, actor=actor, errors=errors, dry_run=dry_run, validated=True)


if __name__ == "__main__":
    _work(sys.stdout.buffer, sys.argv[1], sys.argv[2], sys.argv[3])
