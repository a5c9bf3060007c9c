"""The ``local_pki`` fixture (registered by ``tests/conftest.py``): one local PKI for the test session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.pki.local_pki import LocalPki, serve_local_pki

__all__ = ["local_pki"]


@pytest.fixture(scope="session")
def local_pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPki]:
    """Root, intermediate, signers, OCSP responder, CRLs and two TSAs served on loopback (see
    ``tests/pki/certomancer.yml``), started on first use and stopped at the end of the session."""
    with serve_local_pki(tmp_path_factory.mktemp("pki")) as pki:
        yield pki
