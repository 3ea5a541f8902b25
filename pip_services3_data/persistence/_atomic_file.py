"""Reading and replacing a whole data file: atomically, and knowing cheaply when it changed since."""

import errno
import os
import secrets
import stat
import weakref
from typing import Optional, Sequence, Set, Tuple

_TEMPORARY_SUFFIX = '.tmp'
_TOKEN_LENGTH = 16
# O_NOFOLLOW: a link planted at a path the library creates is refused, not followed.
_CREATE_FLAGS = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, 'O_NOFOLLOW', 0)
                 | getattr(os, 'O_CLOEXEC', 0) | getattr(os, 'O_BINARY', 0))
# O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
_READ_FLAGS = os.O_RDONLY | getattr(os, 'O_NONBLOCK', 0) | getattr(os, 'O_CLOEXEC', 0) | getattr(os, 'O_BINARY', 0)
#: Permission bits of new files: never world-writable, whatever the umask.
_NEW_FILE_MODE = 0o664
_HEX_DIGITS = frozenset('0123456789abcdef')


class SeenFile:
    """The data file as this object last read or wrote it, to tell whether anyone changed it since.

    It keeps the file open: when another writer replaces the file, the one kept open loses its
    name (its link count drops), and an edit in place changes its size or times, so one
    ``fstat`` tells, without resolving the path again. When there was no file, the path is
    checked instead.
    """

    def __init__(self, path: str, descriptor: Optional[int]) -> None:
        self._path = path
        self._descriptor = descriptor
        self._signature = None if descriptor is None else _signature_of(os.fstat(descriptor))
        # Closed with this object at the latest, so that persistences dropped without close
        # do not leak descriptors.
        self._closer = None if descriptor is None else weakref.finalize(self, os.close, descriptor)

    def changed(self) -> bool:
        """Tells whether the file was replaced, changed, created or removed since it was seen."""
        if self._descriptor is None:
            return os.path.lexists(self._path)
        return _signature_of(os.fstat(self._descriptor)) != self._signature

    def close(self) -> None:
        """Lets go of the file; the object is of no further use."""
        if self._closer is not None:
            self._closer()


def _signature_of(status: os.stat_result) -> Tuple[int, int, int, int]:
    return status.st_nlink, status.st_size, status.st_mtime_ns, status.st_ctime_ns


def read_whole(path: str) -> Tuple[Optional[bytes], SeenFile]:
    """Reads the file at ``path``: its content (``None`` when there is no file) and how it was seen.

    :raises OSError: the file cannot be read, or is not a regular file (a FIFO, a device, a folder).
    """
    try:
        descriptor = os.open(path, _READ_FLAGS)
    except FileNotFoundError:
        return None, SeenFile(path, None)
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise OSError(f'{path} is not a regular file')
        with open(descriptor, 'rb', closefd=False) as file:
            content = file.read()
    except BaseException:
        os.close(descriptor)
        raise
    return content, SeenFile(path, descriptor)


def write_atomically(path: str, parts: Sequence[bytes]) -> SeenFile:
    """Replaces the file at ``path`` with ``parts``, one after the other, through a temporary
    file in the same folder (parts spare the caller a copy of the whole content).

    The caller holds the write lock of ``path``. The temporary file is written, fsynced and
    renamed over ``path`` with :func:`os.replace`, which is atomic on POSIX and Windows: a crash
    at any point leaves the old file or the new one, never a mix. Missing parent folders are
    created; an existing file's permission bits are kept (less world-write). On failure the
    temporary file is removed and the :class:`OSError` propagates, ``path`` untouched.

    :return: the new file, as seen right after the rename.
    """
    directory = os.path.dirname(path)
    remove_stale_temporary_files(path)
    temporary_path = os.path.join(
        directory, f'.{os.path.basename(path)}.{secrets.token_hex(_TOKEN_LENGTH // 2)}{_TEMPORARY_SUFFIX}')
    descriptor = create_exclusively(temporary_path)
    try:
        try:
            for part in parts:
                view = memoryview(part)
                while view:
                    written = os.write(descriptor, view)
                    if not written:  # would loop forever; a full disk raises instead, as a rule
                        raise OSError(errno.EIO, 'the file took none of the bytes written to it')
                    view = view[written:]
            os.fsync(descriptor)
            _copy_permission_bits(path, descriptor)
            os.replace(temporary_path, path)
        except BaseException:
            _remove_quietly(temporary_path)
            raise
        seen = SeenFile(path, descriptor)
    except BaseException:
        os.close(descriptor)
        raise
    _sync_directory(directory)
    return seen


def create_exclusively(path: str) -> int:
    """Creates the file at ``path``, and any missing folders, and opens it for writing; a file
    or link already at ``path`` is refused with :class:`FileExistsError`."""
    try:
        return os.open(path, _CREATE_FLAGS, _NEW_FILE_MODE)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path), mode=0o775, exist_ok=True)
        return os.open(path, _CREATE_FLAGS, _NEW_FILE_MODE)


def remove_stale_temporary_files(path: str) -> None:
    """Removes the temporary files that interrupted writes of ``path`` left behind.

    Call it holding the write lock of ``path``: every writer holds it from creating its
    temporary file to renaming or removing it, so any such file found then belongs to a writer
    that is gone. Only names of exactly the form this module makes for ``path`` match.
    """
    directory, name = os.path.split(path)
    try:
        names = os.listdir(directory)
    except FileNotFoundError:
        return
    prefix = f'.{name}.'
    for candidate in names:
        if _is_temporary_name(candidate, prefix):
            _remove_quietly(os.path.join(directory, candidate))


def _is_temporary_name(name: str, prefix: str) -> bool:
    token = name[len(prefix):-len(_TEMPORARY_SUFFIX)]
    return (name.startswith(prefix) and name.endswith(_TEMPORARY_SUFFIX) and len(token) == _TOKEN_LENGTH
            and all(character in _HEX_DIGITS for character in token))


def replacement_problem(path: str) -> Optional[str]:
    """Tells why ``path`` could not be replaced by a rename, or ``None`` when it can.

    Renaming onto a mount point fails (a single bind-mounted file, as ``docker run -v
    ./data.json:/app/data.json`` makes), and so does creating the temporary file in a folder
    the process cannot write; both are found here, before any write depends on them.
    """
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        return None
    if os.path.lexists(path) and _is_mount_point(path):
        return (f'{path} is a mount point, so it cannot be replaced atomically; '
                'mount the folder that holds it instead of the file itself')
    probe_path = os.path.join(directory, f'.{os.path.basename(path)}.{secrets.token_hex(8)}.probe')
    try:
        os.close(os.open(probe_path, _CREATE_FLAGS, _NEW_FILE_MODE))
        os.remove(probe_path)
    except OSError as error:
        return (f'cannot create files in {directory} ({error.strerror}), so {path} cannot be replaced '
                'atomically; let the process write the folder')
    return None


def _is_mount_point(path: str) -> bool:
    return os.path.ismount(path) or path in _linux_mount_points()


def _linux_mount_points() -> Set[str]:
    # A bind mount from the same file system has the same device as its folder, which
    # os.path.ismount cannot see; Linux lists every mount point in mountinfo (field 5, with
    # spaces and the like as octal escapes).
    try:
        with open('/proc/self/mountinfo', encoding='utf-8', errors='surrogateescape') as mountinfo:
            lines = mountinfo.read().splitlines()
    except OSError:
        return set()
    return {_unescape_octal(line.split(' ')[4]) for line in lines if line.count(' ') >= 4}


def _unescape_octal(text: str) -> str:
    parts = text.split('\\')
    return parts[0] + ''.join(chr(int(part[:3], 8)) + part[3:] for part in parts[1:])


def _copy_permission_bits(source_path: str, descriptor: int) -> None:
    # Through the descriptor: a path could meanwhile lead somewhere else. Windows keeps its own
    # permissions and has no fchmod before Python 3.13.
    try:
        mode = stat.S_IMODE(os.stat(source_path).st_mode)
    except FileNotFoundError:
        return
    change_mode = getattr(os, 'fchmod', None)
    if change_mode is not None:
        change_mode(descriptor, mode & ~stat.S_IWOTH)


def _sync_directory(directory: str) -> None:
    # The rename is durable only once the folder entry is on disk. The replace already
    # happened, so a failure here cannot be undone and must not fail the save; some platforms
    # (Windows) cannot open a folder at all.
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _remove_quietly(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass
