"""parquet-chaos writer kit: a Python writer speaks writer protocol 1 with a few lines.

Standard library only. A writer is a function ``save(record) -> None`` (see docs/python.md)::

    import parquet_chaos_kit as kit

    ctx = kit.init()                         # the harness's init: folders, options, role
    def save(record):                        # raise to refuse; return to ack
        ...
    kit.run_writer(save, points=["main:read"])

What the kit does for you:

* speaks the protocol on the real stdout (one JSON object a line, flushed at once); ``print`` and
  anything else written to file descriptor 1 go to stderr, the writer's log, so a stray print can
  never break the protocol;
* answers every ``write``: ``ok`` when ``save`` returns ``None`` (this record is durable), or the
  ids ``save`` returns (a list: exactly these ids are durable now, ``[]`` = buffered);
  ``fail`` when ``save`` raises :class:`DefinitelyNotSaved` (a conflict known not to have been
  applied: nothing was written and nothing is buffered); ``info`` (outcome unknown) for any other
  exception, since a failure half-way may or may not have left the record saved;
* crash points (:func:`point`), counters (:func:`count`), lock waits (:func:`lock_wait`,
  :class:`FileLock`);
* background roles (:func:`run_background`) and recovery (:func:`run_finalize`);
* atomic publishing (:func:`atomic_path`, :func:`atomic_write_bytes`): a temp file in the same
  folder (never ending in ``.parquet``) -> fsync -> ``os.replace`` -> fsync of the folder.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import queue
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Optional, Sequence

PROTOCOL = 1

#: Every temp file the kit makes ends in this: never ``.parquet``, so a temp is never part of the dataset.
TEMP_SUFFIX = ".tmp"


class DefinitelyNotSaved(Exception):
    """Raise from ``save`` when the record was certainly not saved (and is not buffered): a ``fail``.

    For example a lock that could not be had before anything was written. Any other exception is
    reported as ``info`` (unknown outcome): raise this one only when you know nothing was applied.
    """


class ProtocolError(Exception):
    """The harness sent something the protocol does not allow (the kit exits with status 2)."""


@dataclass
class Context:
    """What the harness's ``init`` gives a process (see PROTOCOL-v1.md, section 1)."""

    role: str
    index: int
    run_id: str
    cell_id: str
    #: The seed system's process id: ``{pid}_{YYYYmmdd_HHMMSS}``.
    process_id: str
    #: The dataset is every ``*.parquet`` under this folder.
    data_dir: str
    #: Queues, locks, journals: anything that is not the dataset.
    state_dir: str
    options: dict = field(default_factory=dict)
    seed: int = 0
    schema: list = field(default_factory=list)


# ---- the wire ---------------------------------------------------------------------------------

def _claim_stdout():
    """Keeps file descriptor 1 for the protocol and points everything else that writes there at stderr."""
    protocol_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return os.fdopen(protocol_fd, "w", encoding="utf-8", buffering=1)


_out = _claim_stdout()
_out_lock = threading.Lock()
_inbox: "queue.Queue[Optional[dict]]" = queue.Queue()
_stop = threading.Event()
_reader: Optional[threading.Thread] = None
ctx: Optional[Context] = None
_role_entered = False


def send(message: dict) -> None:
    """Writes one protocol message and flushes it (thread-safe)."""
    line = json.dumps(message, separators=(",", ":"), allow_nan=False)
    with _out_lock:
        _out.write(line + "\n")
        _out.flush()


def log(*parts: Any) -> None:
    """A line in this process's log (stderr, kept by the harness in the cell's logs/)."""
    print(*parts, file=sys.stderr, flush=True)


def _read_stdin() -> None:
    for raw in sys.stdin:
        raw = raw.strip()
        if not raw:
            continue
        try:
            message = json.loads(raw)
        except ValueError:
            log(f"parquet-chaos kit: not JSON from the harness: {raw[:200]!r}")
            continue
        if isinstance(message, dict) and message.get("type") == "stop":
            # Not queued: a background role may be waiting at a crash point for its `continue`.
            _stop.set()
            continue
        _inbox.put(message)
    _stop.set()
    _inbox.put(None)


def _next_message() -> dict:
    message = _inbox.get()
    if message is None:
        # The harness closed our stdin: it has gone (or killed the cell); nothing is left to answer.
        log("parquet-chaos kit: stdin closed by the harness; exiting")
        os._exit(0)
    return message


def _expect(kind: str) -> dict:
    message = _next_message()
    if message.get("type") != kind:
        raise ProtocolError(f"expected {kind!r} from the harness, got {message!r}")
    return message


# ---- the handshake ----------------------------------------------------------------------------

def init() -> Context:
    """Reads the harness's ``init`` (once; later calls return the same context). Does not answer it:
    ``run_writer``/``run_background``/``run_finalize`` send ``init_ok`` once your set-up is done."""
    global ctx, _reader
    if ctx is not None:
        return ctx
    _reader = threading.Thread(target=_read_stdin, name="parquet-chaos-stdin", daemon=True)
    _reader.start()
    try:
        message = _expect("init")
        if message.get("protocol") != PROTOCOL:
            raise ProtocolError(f"protocol {message.get('protocol')!r} offered; this kit speaks {PROTOCOL}")
    except ProtocolError as error:
        _protocol_exit(error)
    ctx = Context(
        role=message["role"], index=int(message.get("index", 0)), run_id=str(message.get("run_id", "")),
        cell_id=str(message.get("cell_id", "")), process_id=str(message["process_id"]),
        data_dir=message["data_dir"], state_dir=message["state_dir"], options=dict(message.get("options") or {}),
        seed=int(message.get("seed", 0)), schema=list(message.get("schema") or []),
    )
    return ctx


def _enter(role: str, points: Sequence[str]) -> Context:
    global _role_entered
    context = init()
    if _role_entered:
        raise ProtocolError("a process runs one role")
    if context.role != role:
        raise ProtocolError(f"this program runs the {role} role, but the harness started it as {context.role!r}")
    _role_entered = True
    send({"type": "init_ok", "protocol": PROTOCOL, "points": list(points)})
    return context


# ---- records ----------------------------------------------------------------------------------

_CONVERT = {"string": str, "int64": int, "double": float, "bool": bool}


def typed_record(raw: dict) -> dict:
    """The record with every field of the init schema as its Python type (a ``score`` of 1 sent as
    the JSON number ``1`` is the float 1.0, so pandas stores it as a double)."""
    schema = ctx.schema if ctx else []
    if not schema:
        return dict(raw)
    record = {}
    for column in schema:
        name = column["name"]
        convert = _CONVERT.get(column.get("type"), lambda value: value)
        value = raw.get(name)
        record[name] = None if value is None else convert(value)
    return record


# ---- crash points, counters, lock waits -------------------------------------------------------

def point(name: str) -> None:
    """Marks a crash point and waits for the harness's ``continue`` (it may kill or pause us here)."""
    send({"type": "point", "name": name})
    _expect("continue")


def count(name: str, n: int = 1) -> None:
    """Adds ``n`` to a named event counter, summed per cell (e.g. ``fallbacks``)."""
    send({"type": "count", "name": name, "n": n})


def lock_wait(name: str, wait_ms: float, outcome: str) -> None:
    """Reports one lock wait: ``outcome`` is ``acquired`` or ``timeout``."""
    send({"type": "lock", "name": name, "wait_ms": round(wait_ms, 3), "outcome": outcome})


class FileLock:
    """An exclusive ``fcntl.flock`` on ``path`` (created if missing), given up after ``timeout_s``.

    Use as ``with FileLock(path, 30):``. Every acquisition is reported with :func:`lock_wait`; a
    timeout raises :class:`LockTimeout` (a :class:`DefinitelyNotSaved`: nothing was done under it).
    Keep lock files in ``ctx.state_dir``, not beside the data: ``os.replace`` on a locked file would
    give the next process a new, unlocked file.
    """

    def __init__(self, path: str, timeout_s: float, name: str = "main", poll_s: float = 0.002):
        self.path, self.timeout_s, self.name, self.poll_s = path, timeout_s, name, poll_s
        self._fd: Optional[int] = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        started = time.monotonic()
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as error:
                if error.errno not in (errno.EAGAIN, errno.EACCES):
                    os.close(fd)
                    raise
            waited = time.monotonic() - started
            if waited >= self.timeout_s:
                os.close(fd)
                lock_wait(self.name, waited * 1000, "timeout")
                raise LockTimeout(f"lock {self.path} not acquired within {self.timeout_s} s")
            time.sleep(self.poll_s)
        lock_wait(self.name, (time.monotonic() - started) * 1000, "acquired")
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "FileLock":
        self.acquire()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release()


class LockTimeout(DefinitelyNotSaved, TimeoutError):
    """A :class:`FileLock` could not be had in time; nothing was done under it."""


# ---- atomic publishing ------------------------------------------------------------------------

def fsync_file(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: str) -> None:
    """Makes a folder's entries (a created, renamed or deleted file) durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temp_path_for(path: str) -> str:
    """The temp name :func:`atomic_path` uses for ``path``: same folder, this process's pid, ``.tmp``."""
    folder, name = os.path.split(path)
    return os.path.join(folder, f".{name}.{os.getpid()}{TEMP_SUFFIX}")


@contextlib.contextmanager
def atomic_path(path: str) -> Iterator[str]:
    """Yields a temp path to write the whole new file to; on leaving the block the temp is fsynced,
    renamed over ``path`` (``os.replace``) and the folder fsynced, so readers and a crash see the old
    file or the new one, never half of one. If the block raises, the temp is removed and ``path`` is
    untouched::

        with kit.atomic_path(main) as tmp:
            df.to_parquet(tmp)
    """
    temp = temp_path_for(path)
    try:
        yield temp
        fsync_file(temp)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    fsync_dir(os.path.dirname(path) or ".")


def atomic_write_bytes(path: str, data: bytes) -> None:
    """Publishes ``data`` as the whole file ``path`` (see :func:`atomic_path`)."""
    with atomic_path(path) as temp:
        with open(temp, "wb") as f:
            f.write(data)


def durable_makedirs(path: str) -> None:
    """Creates ``path`` (and parents) if missing and fsyncs its parent, so files made in it survive a crash."""
    if os.path.isdir(path):
        return
    os.makedirs(path, exist_ok=True)
    fsync_dir(os.path.dirname(os.path.abspath(path)))


def remove_stale_temps(folder: str) -> int:
    """Deletes the kit's temp files left in ``folder`` by processes that died (call it in finalize,
    when no process that might still rename one runs). Returns how many were removed."""
    removed = 0
    if not os.path.isdir(folder):
        return 0
    for name in os.listdir(folder):
        if name.startswith(".") and name.endswith(TEMP_SUFFIX):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(folder, name))
                removed += 1
    return removed


# ---- the roles --------------------------------------------------------------------------------

def _error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def _acks_of(returned: Any, record_id: str, where: str) -> list:
    if returned is None:
        return [record_id]
    if isinstance(returned, (list, tuple)) and all(isinstance(i, str) for i in returned):
        return list(returned)
    raise TypeError(f"{where} must return None (this record is saved) or a list of the ids now saved, got {returned!r}")


def _protocol_exit(error: ProtocolError) -> None:
    log(f"parquet-chaos kit: protocol error: {error}")
    sys.stderr.flush()
    os._exit(2)


def _run(main: Callable[[], None]) -> None:
    try:
        main()
    except ProtocolError as error:
        _protocol_exit(error)
    except BaseException:
        traceback.print_exc()
        sys.stderr.flush()
        os._exit(1)
    sys.stderr.flush()
    os._exit(0)


def run_writer(save: Callable[[dict], Optional[Sequence[str]]], close: Optional[Callable[[], Sequence[str]]] = None,
               points: Sequence[str] = (), setup: Optional[Callable[[], None]] = None) -> None:
    """Serves the writer role until the harness's ``close``; never returns.

    ``save(record)``: return ``None`` when this record is durably saved, or a list of the ids durable
    now (``[]``: buffered). Raise :class:`DefinitelyNotSaved` for a ``fail``; any other exception is
    an ``info``. ``close()``: make the buffer durable, return the ids it made durable (or ``None``).
    ``setup()``: run before ``init_ok`` (make folders, open databases). ``points``: the crash points you mark with :func:`point`.
    """

    def main() -> None:
        init()
        if setup is not None:
            setup()
        _enter("writer", points)
        while True:
            message = _next_message()
            kind = message.get("type")
            if kind == "close":
                closed = close() if close else None
                acks = [] if closed is None else _acks_of(closed, "", "close()")
                send({"type": "close_ok", "acks": acks})
                return
            if kind != "write":
                raise ProtocolError(f"expected 'write' or 'close', got {message!r}")
            record_id = message["id"]
            try:
                returned = save(typed_record(message["record"]))
            except DefinitelyNotSaved as error:
                send({"type": "fail", "id": record_id, "error": _error_text(error)})
                continue
            except Exception as error:  # noqa: BLE001 - anything else: the outcome is unknown
                log(f"save({record_id}) raised:\n{traceback.format_exc()}")
                send({"type": "info", "id": record_id, "error": _error_text(error)})
                continue
            acks = _acks_of(returned, record_id, "save()")
            if acks == [record_id]:
                send({"type": "ok", "id": record_id})
            else:
                send({"type": "ok", "id": record_id, "acks": acks})

    _run(main)


def stopping() -> bool:
    """True once the harness has asked a background role to stop."""
    return _stop.is_set()


def run_background(step: Callable[[], None], every_s: float = 0.2, role: Optional[str] = None,
                   points: Sequence[str] = ()) -> None:
    """Serves a background role (``merger`` or ``consumer``: the role the harness started; ``role``
    checks it): runs ``step()`` then waits ``every_s`` until the harness's ``stop``, after which the
    current step finishes and the process exits 0. A step that raises is logged and tried again next
    round. Never returns."""

    def main() -> None:
        context = init()
        expected = role or context.role
        if expected not in ("merger", "consumer"):
            raise ProtocolError(f"run_background serves merger or consumer, not {expected!r}")
        _enter(expected, points)
        while not _stop.is_set():
            try:
                step()
            except Exception:  # noqa: BLE001 - logged; the next round tries again
                log(f"{expected} step failed:\n{traceback.format_exc()}")
            _stop.wait(every_s)

    _run(main)


def run_finalize(fn: Callable[[], None], points: Sequence[str] = ()) -> None:
    """Serves the finalize role: runs ``fn()`` (recovery: merge leftovers, drain queues) once every
    other process has ended, then sends ``done``. An exception exits 1 (the cell is not passed)."""

    def main() -> None:
        _enter("finalize", points)
        fn()
        send({"type": "done"})

    _run(main)
