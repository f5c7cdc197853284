"""A large file read and checked in a second process while this one writes (issue #14).

An ingest of a large CSV spent about 60% of its time reading and checking chunks (pandas' parser, the cell
checks) and the rest encoding them and appending them to the store. Done one after the other they take
their sum; with the reading in a second process, the next chunk is checked while this one is written: a
million rows took 42.6 s, now 27.6 s on a machine of two cores. (Encoding the facts lines and hashes in the
reader too was slower, 31.9 s: the reader is the longer of the two.)

The child reads the file exactly as ``RecordChunks`` does in one process; this process receives each
checked chunk and, with it, what the reader has found so far (its problems, its row count, the file's
SHA-256), so the caller reads ``records`` as if it had iterated it itself. At most ``AHEAD`` chunks wait in between:
memory stays bounded. The child is started fresh (``spawn``): nothing of this process (its store
connections, a progress bar's thread) is copied into it."""

from __future__ import annotations

import logging
import multiprocessing
import queue
import traceback
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from typing import Any

from indicators import Catalogue
from lrc.ingest import CheckedRows, RecordChunks

log = logging.getLogger("lrc.ingest")
AHEAD = 2  # checked chunks that may wait for the writer (each about 40 MB at 16 M characters)
STATE = ("sha256", "rows", "chunks", "streamed", "absent")  # what the caller reads of the reader, as it stands
GROWING = ("problems", "overridden")  # lists the reader adds to: each message carries what is new in them
POLL_SECONDS = 1.0  # how often a wait for the reader looks whether it is still alive
READER = "lrc-ingest-reader"  # the second process's name
JOIN_SECONDS = 5.0  # how long a reader that has sent everything is given to end before it is stopped


def checked_batches(records: RecordChunks) -> Generator[CheckedRows, None, None]:
    """``records``' checked chunks: read in a second process when the file is read in chunks, else here.
    ``records``' findings are brought up to date before each chunk is yielded and when the iteration ends."""
    if not records.in_chunks():
        yield from records
        return
    with _reader(records) as messages:
        for kind, payload, state in messages:
            for name, value in state.items():
                if name in GROWING:
                    getattr(records, name).extend(value)  # (the caller may have added problems of its own)
                else:
                    setattr(records, name, value)
            if kind == "batch" and payload is not None:
                yield payload


@contextmanager
def _reader(records: RecordChunks) -> Iterator[Iterator[tuple[str, Any, dict[str, Any]]]]:
    """The child's messages, as they come; the child is stopped however the caller leaves."""
    context = multiprocessing.get_context("spawn")
    channel: Any = context.Queue(maxsize=AHEAD)
    args = (records.path, records.catalogue, records.period, records.accept_uscc, records.sheet, channel)
    child = context.Process(target=_read, args=args, name=READER, daemon=True)
    child.start()
    try:
        yield _messages(channel, child)
        child.join(timeout=JOIN_SECONDS)  # it has sent its last message: it ends by itself
    finally:
        if child.is_alive():
            child.terminate()
        child.join()
        channel.close()


def _messages(channel: Any, child: Any) -> Iterator[tuple[str, Any, dict[str, Any]]]:
    while True:
        try:
            kind, payload, state = channel.get(timeout=POLL_SECONDS)
        except queue.Empty:
            if child.is_alive():
                continue
            raise RuntimeError(f"the ingest reader process ended unexpectedly (exit code {child.exitcode})") from None
        if kind == "error":
            exc, trace = payload
            log.error("ingest reader failed:\n%s", trace)
            raise exc
        yield kind, payload, state
        if kind == "end":
            return


def _read(
    path: Any, catalogue: Catalogue, period: str, accept_uscc: frozenset[str], sheet: str | None, channel: Any
) -> None:
    """The child: every checked chunk of the file, then the reader's findings at the end."""
    sent = dict.fromkeys(GROWING, 0)
    try:
        records = RecordChunks(path, catalogue, period=period, accept_uscc=accept_uscc, sheet=sheet)
        for batch in records:
            if records.problems:  # nothing more will be written: the rest is read for its problems alone
                channel.put(("batch", None, _state(records, sent)))
                continue
            channel.put(("batch", batch, _state(records, sent)))
        channel.put(("end", None, _state(records, sent)))
    except KeyboardInterrupt:  # Ctrl-C reaches both processes: the caller says it, this one ends quietly
        return
    except Exception as exc:  # noqa: BLE001 (every failure goes to the caller, who decides how to say it)
        channel.put(("error", (_sendable(exc), traceback.format_exc()), {}))


def _state(records: RecordChunks, sent: dict[str, int]) -> dict[str, Any]:
    """What the reader has found so far: ``STATE`` as it stands, and what ``GROWING`` gained since ``sent``."""
    state = {name: getattr(records, name) for name in STATE}
    for name in GROWING:
        values = getattr(records, name)
        state[name], sent[name] = values[sent[name] :], len(values)
    return state


def _sendable(exc: Exception) -> Exception:
    """``exc`` if it survives the trip between processes, else a RuntimeError that says what it was."""
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc
