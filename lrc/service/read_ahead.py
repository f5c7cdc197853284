"""Work read ahead in a second process while this one writes (issue #14): a large file's chunks read and
checked for an ingest, a period run's parts read from the store and scored (``lrc.service.runs``).

An ingest of a large CSV spent about 60% of its time reading and checking chunks (pandas' parser, the cell
checks) and the rest encoding them and appending them to the store. Done one after the other they take
their sum; with the reading in a second process, the next chunk is checked while this one is written: a
million rows took 42.6 s, now 27.6 s on a machine of two cores. (Encoding the facts lines and hashes in the
reader too was slower, 31.9 s: the reader is the longer of the two.)

The child reads the file exactly as ``RecordChunks`` does in one process; this process receives each
checked chunk and, with it, what the reader has found so far (its problems, its row count, the file's
SHA-256), so the caller reads ``records`` as if it had iterated it itself.

``ahead`` is the machinery both use: a generator function run in a child started fresh (``spawn``: nothing
of this process, its store connections or a progress bar's thread, is copied into it), its items handed
over as they come, at most ``AHEAD`` waiting (memory stays bounded), its failure raised here as itself, and
the child stopped however the caller leaves."""

from __future__ import annotations

import logging
import multiprocessing
import pickle
import queue
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from indicators import Catalogue
from lrc.ingest import CheckedRows, RecordChunks

log = logging.getLogger("lrc")
AHEAD = 2  # items that may wait for this process (an ingest's chunk: about 20 MB at 8 M characters)
STATE = ("sha256", "rows", "chunks", "streamed", "absent")  # what the caller reads of the reader, as it stands
GROWING = ("problems", "overridden")  # lists the reader adds to: each message carries what is new in them
POLL_SECONDS = 1.0  # how often a wait for the child looks whether it is still alive
READER = "lrc-read-ahead"  # the second process's name
JOIN_SECONDS = 5.0  # how long a child that has sent everything is given to end before it is stopped


@contextmanager
def ahead(work: Callable[..., Iterator[Any]], *args: Any, waiting: int = AHEAD) -> Iterator[Iterator[Any]]:
    """The items of ``work(*args)`` (a generator function of a module, its arguments picklable), worked out in
    a second process and handed over as they come, at most ``waiting`` of them waiting; the child is stopped
    however the caller leaves."""
    context = multiprocessing.get_context("spawn")
    channel: Any = context.Queue(maxsize=waiting)
    child = context.Process(target=_child, args=(work, args, channel), name=READER, daemon=True)
    try:  # (a Ctrl-C held back while the child started arrives as it ends: the child is stopped then too)
        with _starting():
            child.start()
        yield _items(channel, child)
        child.join(timeout=JOIN_SECONDS)  # it has sent its last message: it ends by itself
    finally:
        if child.pid is not None:  # (started)
            if child.is_alive():
                child.terminate()
            child.join()
        channel.close()


_START = threading.Lock()  # one child started at a time: ``_starting`` lends out the main module's names


@contextmanager
def _starting() -> Iterator[None]:
    """While a child is started: Ctrl-C held back, and the main module not named to the child.

    SIGINT is blocked in the starting thread, so the child begins with it blocked and keeps it so (a Ctrl-C
    reaching it while it was still importing printed its traceback on the terminal); the parent gets a Ctrl-C
    of that moment as soon as the child is started, and stops the child. And ``spawn`` runs the parent's
    main script again in the child unless it is a module without a name: a program calling the service
    without an ``if __name__ == "__main__"`` guard would run itself again there (and waited for ever on the
    store's writer lock, which it held). What the child runs is never in the main module."""
    main = sys.modules.get("__main__")
    names: dict[str, Any] = {k: main.__dict__[k] for k in ("__spec__", "__file__") if main and k in main.__dict__}
    with _START:
        blocked = hasattr(signal, "pthread_sigmask")
        if blocked:
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        # Another thread (a progress bar's) may take the signal even so, and its Python handler then runs here,
        # in the middle of the start, where the child is not yet the caller's to stop: it waits until the end.
        held: list[int] = []
        handled = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGINT, lambda signum, _frame: held.append(signum)) if handled else None
        if main is not None:
            main.__dict__.pop("__file__", None)
            main.__spec__ = None
        try:
            yield
        finally:
            if main is not None:
                main.__dict__.update(names)
            if handled:
                signal.signal(signal.SIGINT, previous if previous is not None else signal.SIG_DFL)
            if blocked:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
            if held:
                signal.raise_signal(signal.SIGINT)  # now, to the handler there was


def _items(channel: Any, child: Any) -> Iterator[Any]:
    while True:
        try:
            kind, payload = channel.get(timeout=POLL_SECONDS)
        except queue.Empty:
            if child.is_alive():
                continue
            try:  # what it sent just before it ended
                kind, payload = channel.get(timeout=POLL_SECONDS)
            except queue.Empty:
                ended = f"exit code {child.exitcode}"
                raise RuntimeError(f"预读进程意外退出 (the read-ahead process ended unexpectedly, {ended})") from None
        if kind == "error":
            exc, trace = payload
            log.error("read-ahead process failed:\n%s", trace)
            raise exc
        if kind == "end":
            return
        yield payload


class _Orphaned(Exception):
    """The process that started this one is gone: nobody will take what is left."""


def _child(work: Callable[..., Iterator[Any]], args: tuple[Any, ...], channel: Any) -> None:
    try:  # (SIGINT stays blocked here, see ``_starting``: a Ctrl-C is the caller's, who stops this process)
        for item in work(*args):
            _put(channel, ("item", item))
        _put(channel, ("end", None))
    except _Orphaned:
        channel.cancel_join_thread()  # what waits in the pipe will never be read: end without flushing it
    except Exception as exc:  # noqa: BLE001 (every failure goes to the caller, who decides how to say it)
        try:
            _put(channel, ("error", (_sendable(exc), traceback.format_exc())))
        except _Orphaned:
            channel.cancel_join_thread()


def _put(channel: Any, message: tuple[str, Any]) -> None:
    """``message`` into the channel once there is room; _Orphaned if the parent has ended meanwhile (killed:
    a full channel would otherwise keep this process waiting for ever)."""
    parent = multiprocessing.parent_process()
    while True:
        try:
            channel.put(message, timeout=POLL_SECONDS)
            return
        except queue.Full:
            if parent is not None and not parent.is_alive():
                raise _Orphaned from None


def _sendable(exc: Exception) -> Exception:
    """``exc`` if it survives the trip between processes, else a RuntimeError that says what it was."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def checked_batches(records: RecordChunks) -> Generator[CheckedRows, None, None]:
    """``records``' checked chunks: read in a second process when the file is read in chunks, else here.
    ``records``' findings are brought up to date before each chunk is yielded and when the iteration ends."""
    if not records.streams():  # (a large file in an encoding ``scan`` cannot name is read whole: here)
        yield from records
        return
    args = (records.path, records.catalogue, records.period, records.accept_uscc, records.sheet, records.scanned)
    with ahead(checked_chunks, *args) as items:
        for batch, state in items:
            for name, value in state.items():
                if name in GROWING:
                    getattr(records, name).extend(value)  # (the caller may have added problems of its own)
                else:
                    setattr(records, name, value)
            if batch is not None:
                yield batch


def checked_chunks(
    path: Path,
    catalogue: Catalogue,
    period: str,
    accept_uscc: frozenset[str],
    sheet: str | None,
    scanned: tuple[str, str | None] | None = None,
) -> Iterator[tuple[CheckedRows | None, dict[str, Any]]]:
    """The reader's side: each checked chunk of the file with the reader's findings; last, the findings at
    the end. (After a problem the chunks are still sent: the caller looks for rows outside its user's scope
    in every one.)"""
    records = RecordChunks(path, catalogue, period=period, accept_uscc=accept_uscc, sheet=sheet, scanned=scanned)
    sent = dict.fromkeys(GROWING, 0)
    for batch in records:
        yield batch, _state(records, sent)
    yield None, _state(records, sent)


def _state(records: RecordChunks, sent: dict[str, int]) -> dict[str, Any]:
    """What the reader has found so far: ``STATE`` as it stands, and what ``GROWING`` gained since ``sent``."""
    state = {name: getattr(records, name) for name in STATE}
    for name in GROWING:
        values = getattr(records, name)
        state[name], sent[name] = values[sent[name] :], len(values)
    return state
