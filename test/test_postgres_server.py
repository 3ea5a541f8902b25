"""The PostgreSQL server the tests start: reachable only as intended, gone afterwards, never silently missing."""

import os
import tempfile
from pathlib import Path

import psycopg2
import pytest

import postgres_server as server_module
from postgres_server import PostgresServer, require_server_binaries, running_postgres_server


def test_the_server_listens_on_loopback_with_its_socket_in_its_own_folder(postgres_server: PostgresServer) -> None:
    with postgres_server.connect() as connection, connection.cursor() as cursor:
        cursor.execute('SHOW listen_addresses')
        assert cursor.fetchone() == ('127.0.0.1',)
        cursor.execute('SHOW unix_socket_directories')
        socket_folder = Path(cursor.fetchone()[0])
        cursor.execute('SHOW data_directory')
        assert Path(cursor.fetchone()[0]).parent == socket_folder
    assert socket_folder.stat().st_mode & 0o077 == 0  # nobody else may enter it
    if os.geteuid() == 0:
        assert socket_folder.stat().st_uid != 0  # initdb and postgres ran unprivileged


def test_a_login_needs_the_password(postgres_server: PostgresServer) -> None:
    with pytest.raises(psycopg2.OperationalError, match='password authentication failed'):
        psycopg2.connect(host=postgres_server.host, port=postgres_server.port, dbname=postgres_server.database,
                         user=postgres_server.user, password='not-' + postgres_server.password, connect_timeout=5)


def test_a_stopped_server_leaves_nothing_behind() -> None:
    before = set(Path(tempfile.gettempdir()).glob('pip-services3-data-postgres-*'))
    with running_postgres_server(require_server_binaries(), database='scratch') as server:
        with server.connect() as connection, connection.cursor() as cursor:
            cursor.execute('SELECT current_database()')
            assert cursor.fetchone() == ('scratch',)
        created = set(Path(tempfile.gettempdir()).glob('pip-services3-data-postgres-*')) - before
        assert len(created) == 1
    assert not created.pop().exists()
    with pytest.raises(psycopg2.OperationalError):
        psycopg2.connect(host=server.host, port=server.port, dbname='scratch', user=server.user,
                         password=server.password, connect_timeout=5)


def test_without_postgresql_the_tests_skip_saying_why_except_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server_module, 'find_server_binaries', lambda: None)
    monkeypatch.delenv('CI', raising=False)
    with pytest.raises(pytest.skip.Exception, match='PostgreSQL is not installed'):
        require_server_binaries()
    monkeypatch.setenv('CI', 'true')
    with pytest.raises(pytest.fail.Exception, match='under CI the PostgreSQL tests must run'):
        require_server_binaries()
