"""A real PostgreSQL server for the tests, started from the OS package's binaries and removed afterwards.

:func:`running_postgres_server` runs ``initdb`` into a new temporary directory, starts ``postgres``
listening on 127.0.0.1 on a free port (its Unix socket stays inside that directory, which only
the server's user can enter), waits until it accepts connections, creates a database and yields
a :class:`PostgresServer` that says how to reach it. On exit it stops the server (fast shutdown,
which also ends open connections) and removes the directory.

``initdb`` refuses to run as root, so when the tests run as root the directory is handed to the
unprivileged user ``nobody`` and both programs run as that user. TCP connections need a password
(SCRAM), generated for each run, so other users of the machine cannot use the server meanwhile.

The session fixture ``postgres_server`` in ``conftest.py`` wraps this with
:func:`require_server_binaries`.
"""

import os
import platform
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, List, Optional, Tuple

import pytest

try:
    import psycopg2
except ImportError:  # on PyPy, where it does not install; see require_postgres_client()
    psycopg2 = None
from pip_services3_commons.config import ConfigParams

DEBIAN_SERVER_DIRECTORIES = '/usr/lib/postgresql/*/bin'
READY_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 60.0
START_ATTEMPTS = 3  # another process may take the free port between choosing and binding it


@dataclass(frozen=True)
class PostgresServer:
    """Where a running test server listens, and how to log in."""

    host: str
    port: int
    database: str
    user: str
    password: str

    def connection_config(self) -> ConfigParams:
        """The ``connection`` and ``credential`` sections a pip-services3-postgres persistence reads."""
        return ConfigParams.from_tuples(
            'connection.host', self.host,
            'connection.port', self.port,
            'connection.database', self.database,
            'credential.username', self.user,
            'credential.password', self.password,
        )

    def connect(self, database: Optional[str] = None) -> 'psycopg2.extensions.connection':
        """A new driver connection, to the test database unless another is named."""
        return psycopg2.connect(host=self.host, port=self.port, dbname=database or self.database,
                                user=self.user, password=self.password, connect_timeout=5)


def find_server_binaries() -> Optional[Path]:
    """The directory holding ``initdb`` and ``postgres``, or ``None`` when PostgreSQL is not installed.

    Debian and Ubuntu install them under ``/usr/lib/postgresql/<version>/bin`` (the newest
    version wins); elsewhere they are looked for on ``PATH``.
    """
    candidates = sorted(Path('/').glob(DEBIAN_SERVER_DIRECTORIES.lstrip('/')), key=_major_version, reverse=True)
    on_path = shutil.which('initdb')
    if on_path is not None:
        candidates.append(Path(on_path).resolve().parent)
    for directory in candidates:
        if all(os.access(directory / program, os.X_OK) for program in ('initdb', 'postgres')):
            return directory
    return None


def require_postgres_client() -> None:
    """Skips the calling test or module on PyPy, where psycopg2, which pip-services3-postgres
    needs, has no build (so the test extra leaves it out); anywhere else a missing client fails."""
    if psycopg2 is not None:
        return
    if platform.python_implementation() == 'PyPy':
        pytest.skip('psycopg2, which pip-services3-postgres needs, has no build for PyPy',
                    allow_module_level=True)
    raise ImportError('psycopg2 is not installed: install the test extra')


def require_server_binaries() -> Path:
    """The server binaries, or the end of the calling test: failed under CI (``CI`` set), where the
    PostgreSQL tests must run, and skipped elsewhere, saying why.
    """
    require_postgres_client()
    binaries = find_server_binaries()
    if binaries is not None:
        return binaries
    reason = ('PostgreSQL is not installed: no initdb and postgres under /usr/lib/postgresql/*/bin '
              'or on PATH (apt-get install postgresql)')
    if os.environ.get('CI'):
        pytest.fail(reason + '; under CI the PostgreSQL tests must run', pytrace=False)
    pytest.skip(reason)


def _major_version(directory: Path) -> int:
    version = directory.parent.name
    return int(version) if version.isdigit() else -1


@contextmanager
def running_postgres_server(binaries: Path, database: str = 'test') -> Iterator[PostgresServer]:
    """Starts a throw-away server from ``binaries``, yields it, then stops it and removes its files.

    :raises RuntimeError: when ``initdb`` fails or the server does not become ready; the message
        holds the end of the server's log.
    """
    base = Path(tempfile.mkdtemp(prefix='pip-services3-data-postgres-'))
    server_user = _unprivileged_user()
    process: Optional[subprocess.Popen] = None
    try:
        if server_user is not None:
            os.chown(base, server_user[0], server_user[1])
        password = secrets.token_hex(16)
        _initialise_cluster(binaries, base, password, server_user)
        process, port = _start_server(binaries, base, password, server_user)
        server = PostgresServer('127.0.0.1', port, database, 'postgres', password)
        with _autocommit(server.connect('postgres')) as connection, connection.cursor() as cursor:
            cursor.execute('CREATE DATABASE ' + database)
        yield server
    finally:
        if process is not None:
            _stop(process)
        shutil.rmtree(base, ignore_errors=True)


def _unprivileged_user() -> Optional[Tuple[int, int]]:
    """``(uid, gid)`` of ``nobody`` when running as root, since initdb and postgres refuse root."""
    if os.geteuid() != 0:
        return None
    nobody = pwd.getpwnam('nobody')
    return nobody.pw_uid, nobody.pw_gid


def _as_user(server_user: Optional[Tuple[int, int]]) -> Optional[Callable[[], None]]:
    if server_user is None:
        return None
    uid, gid = server_user

    def drop_privileges() -> None:
        # In the child between fork and exec: groups first, since only root may change them.
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
    return drop_privileges


def _environment() -> dict:
    # A fixed locale and zone, so that the server behaves the same on every machine.
    return {'PATH': os.environ.get('PATH', '/usr/bin:/bin'), 'LC_ALL': 'C', 'TZ': 'UTC'}


def _initialise_cluster(binaries: Path, base: Path, password: str,
                        server_user: Optional[Tuple[int, int]]) -> None:
    password_file = base / 'password'
    password_file.write_text(password + '\n')
    password_file.chmod(0o600)
    if server_user is not None:
        os.chown(password_file, *server_user)
    command = [str(binaries / 'initdb'), '--pgdata', str(base / 'data'), '--username', 'postgres',
               '--pwfile', str(password_file), '--auth-local', 'trust', '--auth-host', 'scram-sha-256',
               '--encoding', 'UTF8', '--locale', 'C', '--no-sync']
    result = subprocess.run(command, cwd=base, env=_environment(), preexec_fn=_as_user(server_user),
                            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    password_file.unlink()
    if result.returncode != 0:
        raise RuntimeError(f'initdb failed with exit code {result.returncode}:\n{result.stdout}{result.stderr}')


def _start_server(binaries: Path, base: Path, password: str,
                  server_user: Optional[Tuple[int, int]]) -> Tuple[subprocess.Popen, int]:
    failures: List[str] = []
    for attempt in range(START_ATTEMPTS):
        port = _free_port()
        log_path = base / f'postgres-{attempt}.log'
        command = [str(binaries / 'postgres'), '-D', str(base / 'data'), '-h', '127.0.0.1', '-p', str(port),
                   '-k', str(base),
                   # A throw-away cluster: durability costs time and protects nothing here.
                   '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']
        with open(log_path, 'wb') as log:
            process = subprocess.Popen(command, cwd=base, env=_environment(), preexec_fn=_as_user(server_user),
                                       stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        if _wait_until_ready(process, port, password):
            return process, port
        _stop(process)
        failures.append(f'attempt {attempt + 1} on port {port}:\n' + _tail(log_path))
    raise RuntimeError('PostgreSQL did not start:\n' + '\n'.join(failures))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(('127.0.0.1', 0))
        return int(probe.getsockname()[1])


def _wait_until_ready(process: subprocess.Popen, port: int, password: str) -> bool:
    """Polls with a real login until the server accepts one (True), exits or the time is up (False)."""
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        try:
            psycopg2.connect(host='127.0.0.1', port=port, dbname='postgres', user='postgres',
                             password=password, connect_timeout=5).close()
            return True
        except psycopg2.OperationalError:
            pass
        try:
            # Waiting on the process paces the poll and notices at once if the server died.
            process.wait(timeout=0.1)
            return False
        except subprocess.TimeoutExpired:
            continue
    return False


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)  # fast shutdown: ends open sessions instead of waiting for them
    try:
        process.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _tail(log_path: Path, lines: int = 20) -> str:
    text = log_path.read_text(errors='replace') if log_path.exists() else ''
    return '\n'.join(text.splitlines()[-lines:])


@contextmanager
def _autocommit(connection: 'psycopg2.extensions.connection') -> Iterator['psycopg2.extensions.connection']:
    # CREATE DATABASE cannot run inside a transaction, which the driver opens by default.
    connection.autocommit = True
    try:
        yield connection
    finally:
        connection.close()
