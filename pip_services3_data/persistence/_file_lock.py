"""An exclusive lock that writers of one data file take across processes, for one write at a time."""

import os
import threading
from contextlib import contextmanager
from typing import ContextManager, Iterator, Optional

try:
    import fcntl
except ImportError:  # Windows: no fcntl; see FileLock.
    fcntl = None  # type: ignore[assignment]


class FileLock:
    """A re-entrant exclusive lock on a lock file, through ``fcntl.flock``.

    Every object (in any process) that writes a data file locks the same lock file beside it,
    each through a descriptor of its own, so that they exclude each other. The kernel drops the
    lock when the descriptor is closed or its process dies, ``kill -9`` included: a lock is never
    left behind. The lock file itself stays; removing it could let two writers lock two files.
    Where ``fcntl`` does not exist (Windows) only threads of one process are excluded.
    """

    def __init__(self) -> None:
        self._thread_lock = threading.RLock()
        self._depth = 0
        self._descriptor: Optional[int] = None

    @contextmanager
    def held(self, lock_path: str) -> Iterator[None]:
        """Holds the lock on ``lock_path`` (created if missing) for the ``with`` block; waits for it."""
        with self._holding(lock_path, wait=True):
            yield

    def held_if_free(self, lock_path: str) -> ContextManager[bool]:
        """Holds the lock for the ``with`` block if no other holder has it; yields whether it does."""
        return self._holding(lock_path, wait=False)

    @contextmanager
    def _holding(self, lock_path: str, wait: bool) -> Iterator[bool]:
        with self._thread_lock:
            if self._depth == 0:
                try:
                    self._descriptor = _locked_descriptor(lock_path, wait)
                except BlockingIOError:
                    yield False
                    return
            self._depth += 1
            try:
                yield True
            finally:
                self._depth -= 1
                if self._depth == 0 and self._descriptor is not None:
                    os.close(self._descriptor)  # which releases the lock
                    self._descriptor = None


def _locked_descriptor(lock_path: str, wait: bool) -> int:
    # O_NOFOLLOW: a link planted at the lock path is refused, not followed. Mode 0o664: never
    # world-writable, whatever the umask.
    descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT | getattr(os, 'O_NOFOLLOW', 0)
                         | getattr(os, 'O_CLOEXEC', 0), 0o664)
    if fcntl is not None:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BaseException:
            os.close(descriptor)
            raise
    return descriptor
