"""The lock file beside a data file: the lock writers take for one write, and the count of saves.

The lock file's first eight bytes count the saves made to the data file (little-endian). A
writer adds one after each save, holding the lock; every object sharing the file maps those
bytes into memory, read-only, and compares them with the count it last saw: one memory read
tells it whether anyone saved since, where a ``stat`` of the file costs ten times as much. The
kernel keeps a shared mapping and the other processes' writes to the file coherent.
"""

import mmap
import os
import threading
from contextlib import contextmanager
from typing import Iterator, Optional

try:
    import fcntl
except ImportError:  # Windows: no fcntl; see FileLock.
    fcntl = None  # type: ignore[assignment]


_COUNT_SIZE = 8


class FileLock:
    """An exclusive lock on a lock file, through ``fcntl.flock``, taken again without waiting by its holder, and the file's save count.

    Every object (in any process) that writes a data file locks the same lock file beside it,
    each through a descriptor of its own, so that they exclude each other. The kernel drops the
    lock when the descriptor is closed or its process dies, ``kill -9`` included: a lock is never
    left behind. The lock file itself stays; removing it could let two writers lock two files.
    Where ``fcntl`` does not exist (Windows) only threads of one process are excluded.
    """

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._depth = 0
        self._descriptor: Optional[int] = None

    def acquire(self, lock_path: str, wait: bool = True) -> bool:
        """Takes the lock on ``lock_path`` (created, with its folders, if missing), or one more hold of it.

        Holds are counted, not owned by a thread: a persistence's group commit takes the lock
        in the thread of its first writer and lets go in the thread of its last.

        :param wait: wait for another holder to let go; otherwise give up at once.
        :return: whether the lock is now held.
        """
        with self._mutex:
            if self._depth == 0:
                try:
                    self._descriptor = _locked_descriptor(lock_path, wait)
                except BlockingIOError:
                    return False
            self._depth += 1
            return True

    def release(self) -> None:
        """Gives up one hold; the lock goes with the last."""
        with self._mutex:
            self._depth -= 1
            if self._depth == 0 and self._descriptor is not None:
                os.close(self._descriptor)  # which releases the lock
                self._descriptor = None

    @contextmanager
    def held(self, lock_path: str) -> Iterator[None]:
        """Holds the lock on ``lock_path`` for the ``with`` block; waits for it."""
        self.acquire(lock_path)
        try:
            yield
        finally:
            self.release()

    @contextmanager
    def held_if_free(self, lock_path: str) -> Iterator[bool]:
        """Holds the lock for the ``with`` block if no other object has it; yields whether it does."""
        free = self.acquire(lock_path, wait=False)
        try:
            yield free
        finally:
            if free:
                self.release()

    def is_held(self) -> bool:
        """Tells whether this object holds the lock."""
        return self._depth > 0

    def count_save(self) -> Optional[bytes]:
        """Adds one to the save count and returns the new count; only while the lock is held.

        :return: the count, or ``None`` where the platform cannot keep one (no ``pwrite``).
        """
        descriptor = self._descriptor
        if descriptor is None or not hasattr(os, 'pwrite'):
            return None
        count = int.from_bytes(os.pread(descriptor, _COUNT_SIZE, 0).ljust(_COUNT_SIZE, b'\0'), 'little') + 1
        counted = (count % 2 ** 64).to_bytes(_COUNT_SIZE, 'little')
        os.pwrite(descriptor, counted, 0)
        return counted


def _locked_descriptor(lock_path: str, wait: bool) -> int:
    # O_NOFOLLOW: a link planted at the lock path is refused, not followed. Mode 0o664: never
    # world-writable, whatever the umask.
    flags = os.O_RDWR | os.O_CREAT | getattr(os, 'O_NOFOLLOW', 0) | getattr(os, 'O_CLOEXEC', 0)
    try:
        descriptor = os.open(lock_path, flags, 0o664)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(lock_path), mode=0o775, exist_ok=True)
        descriptor = os.open(lock_path, flags, 0o664)
    if fcntl is not None:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BaseException:
            os.close(descriptor)
            raise
    return descriptor


class SaveCount:
    """The save count of a lock file, read through a read-only memory map of it."""

    def __init__(self, lock_path: str) -> None:
        self._map: Optional[mmap.mmap] = None
        try:
            descriptor = os.open(lock_path, os.O_RDONLY | getattr(os, 'O_NOFOLLOW', 0) | getattr(os, 'O_CLOEXEC', 0))
        except OSError:
            return
        try:
            if os.fstat(descriptor).st_size >= _COUNT_SIZE:
                self._map = mmap.mmap(descriptor, _COUNT_SIZE, access=mmap.ACCESS_READ)
        except (OSError, ValueError):
            pass
        finally:
            os.close(descriptor)  # the mapping stays valid without it

    @property
    def available(self) -> bool:
        """Tells whether a count could be mapped (a writer of this library saved the file)."""
        return self._map is not None

    def read(self) -> Optional[bytes]:
        """The count as it is now, or ``None`` when none is available."""
        return None if self._map is None else self._map[:_COUNT_SIZE]

    def close(self) -> None:
        """Unmaps the count."""
        if self._map is not None:
            self._map.close()
            self._map = None
