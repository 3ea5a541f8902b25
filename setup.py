"""Packaging of pip-services3-data."""

import re
from pathlib import Path

from setuptools import find_packages, setup

REPOSITORY = 'https://github.com/pip-services3-python/pip-services3-data-python'


def long_description() -> str:
    """The README, its links into the repository made absolute: PyPI shows it away from them."""
    readme = Path(__file__).with_name('README.md').read_text(encoding='utf-8')
    return re.sub(r'\]\((?![a-z]+:|#)([^)\s]+)\)', lambda link: f']({REPOSITORY}/blob/main/{link.group(1)})', readme)


setup(
    name='pip-services3-data',
    version='3.3.0',
    description='Embedded in-memory and JSON file persistences for Pip.Services microservices',
    long_description=long_description(),
    long_description_content_type='text/markdown',
    url=REPOSITORY,
    license='MIT',
    author='Conceptual Vision Consulting LLC',
    packages=find_packages(include=['pip_services3_data', 'pip_services3_data.*']),
    package_data={'pip_services3_data': ['py.typed']},
    zip_safe=False,
    python_requires='>=3.8',
    install_requires=[
        'pip-services3-commons>=3.3,<4.0',
        'pip-services3-components>=3.3,<4.0',
    ],
    extras_require={
        'test': [
            'pytest>=7',
            'pip-services3-container>=3.2,<4.0',
            # mypy 1.19 imports librt, which it installs only on CPython (python/mypy#20454).
            'mypy>=1.14; platform_python_implementation != "PyPy"',
            'mypy>=1.14,<1.19; platform_python_implementation == "PyPy"',
            # For the parity suite. It brings psycopg2-binary, a prebuilt wheel for CPython (nothing
            # to compile); there is none for PyPy, where those tests skip, saying so.
            'pip-services3-postgres>=3.2.8,<4.0; platform_python_implementation != "PyPy"',
            # The property-based tests of the bad-input rules (test/properties).
            'hypothesis>=6.0',
        ],
    },
    classifiers=[
        'Development Status :: 5 - Production/Stable',
        'Intended Audience :: Developers',
        'License :: OSI Approved :: MIT License',
        'Operating System :: OS Independent',
        'Programming Language :: Python :: 3',
        'Programming Language :: Python :: 3 :: Only',
        # Exactly the interpreters CI runs the test suite on (noxfile.py; test/test_packaging.py checks).
        'Programming Language :: Python :: 3.8',
        'Programming Language :: Python :: 3.9',
        'Programming Language :: Python :: 3.10',
        'Programming Language :: Python :: 3.11',
        'Programming Language :: Python :: 3.12',
        'Programming Language :: Python :: 3.13',
        'Programming Language :: Python :: Implementation :: CPython',
        'Programming Language :: Python :: Implementation :: PyPy',
        'Typing :: Typed',
    ],
)
