"""The whole test suite on every interpreter the package supports.

``nox`` runs it on each of them in turn, ``nox -s "tests-3.8"`` on one; arguments after ``--``
go to pytest. Each interpreter must be on ``PATH`` as ``python3.X`` or ``pypy3`` (``.ci/run``
puts pyenv's there). The environments are made with the interpreter's own ``venv`` module.
"""

import nox

# setup.py's python_requires and classifiers claim exactly these (test/test_packaging.py checks).
PYTHONS = ['3.8', '3.9', '3.10', '3.11', '3.12', '3.13', 'pypy3']

# An interpreter that cannot be found fails the run instead of being skipped silently.
nox.options.error_on_missing_interpreters = True
nox.options.sessions = ['tests']


@nox.session(python=PYTHONS, venv_backend='venv')
def tests(session: nox.Session) -> None:
    """Installs the package with its test extra, as the README does, and runs pytest."""
    session.install('--quiet', '-e', '.[test]')
    session.run('python', '--version')
    # PyPy 7.3.11 (Debian 12) once crashed with a segmentation fault compiling a test module
    # whose asserts pytest had rewritten; plain asserts still fail the same tests, with shorter
    # messages.
    plain_asserts = ['--assert=plain'] if session.python == 'pypy3' else []
    session.run('python', '-m', 'pytest', *plain_asserts, *session.posargs)
