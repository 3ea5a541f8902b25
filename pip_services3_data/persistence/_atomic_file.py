"""Replacing a whole file so that it is at every instant either the old or the new content."""

import glob
import os
import secrets
import stat

_TEMPORARY_SUFFIX = '.tmp'


def write_atomically(path: str, content: bytes) -> None:
    """Writes ``content`` to ``path`` through a temporary file in the same directory.

    The temporary file is flushed and fsynced, then renamed over ``path`` with
    :func:`os.replace`, which is atomic on POSIX and Windows; a crash at any point leaves the
    old file or the new one, never a mix. Missing parent directories are created and an
    existing file's permission bits are kept. On failure the temporary file is removed and the
    :class:`OSError` propagates; ``path`` is then untouched. When ``path`` is a symbolic link,
    the file it points to is replaced and the link kept.
    """
    path = os.path.realpath(path)
    directory = os.path.dirname(path)
    os.makedirs(directory, exist_ok=True)
    remove_stale_temporary_files(path)
    temporary_path = _temporary_path_for(path)
    try:
        # Mode 0o666 lets the umask decide the bits of a new file, as an ordinary open() would.
        descriptor = os.open(temporary_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, 'O_BINARY', 0),
                             0o666)
        with os.fdopen(descriptor, 'wb') as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        _copy_permission_bits(path, temporary_path)
        os.replace(temporary_path, path)
    except BaseException:
        _remove_quietly(temporary_path)
        raise
    _sync_directory(directory)


def remove_stale_temporary_files(path: str) -> None:
    """Removes temporary files that an interrupted :func:`write_atomically` left beside ``path``.

    Only one process may write a given file, so any such file belongs to a writer that died.
    """
    directory, name = os.path.split(os.path.realpath(path))
    pattern = os.path.join(glob.escape(directory), '.' + glob.escape(name) + '.*' + _TEMPORARY_SUFFIX)
    for stale_path in glob.glob(pattern):
        _remove_quietly(stale_path)


def _temporary_path_for(path: str) -> str:
    directory, name = os.path.split(os.path.abspath(path))
    return os.path.join(directory, f'.{name}.{secrets.token_hex(8)}{_TEMPORARY_SUFFIX}')


def _copy_permission_bits(source_path: str, target_path: str) -> None:
    try:
        mode = stat.S_IMODE(os.stat(source_path).st_mode)
    except FileNotFoundError:
        return
    os.chmod(target_path, mode)


def _sync_directory(directory: str) -> None:
    # The rename is durable only once the directory entry is on disk. The replace already
    # happened, so a failure here cannot be undone and must not fail the save; some platforms
    # (Windows) cannot open a directory at all.
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
