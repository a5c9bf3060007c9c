"""The signing preflight against the local PKI: all well, then each failure named (a certificate without
non-repudiation, one expiring inside the margin, a revoked one, a chain to no configured root, trust roots
without a TSA or unreadable, a TSA that does not answer); and the level reachable from the problems."""

from __future__ import annotations

import socket
from dataclasses import replace
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from server.reports.keys import load_signing_key, make_demo_key
from server.reports.preflight import (
    SigningProblem,
    configured_level,
    reachable_level,
    signing_preflight,
)
from server.settings import Settings, load_settings
from tests.pki.local_pki import LocalPki


@pytest.fixture
def plain(tmp_path: Path) -> Settings:
    return replace(load_settings(), var_dir=tmp_path)


def closed_port_url() -> str:
    """A loopback URL nothing listens on (the port was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/tsa"


def _codes(problems: list[SigningProblem]) -> list[str]:
    return [p.code for p in problems]


def test_the_configured_level_follows_the_settings(plain: Settings, local_pki: LocalPki) -> None:
    assert configured_level(plain) == "B-B"
    assert configured_level(local_pki.configure(plain, trust_roots=False)) == "B-T"
    assert configured_level(local_pki.configure(plain)) == "B-LTA"


def test_the_reachable_level_is_the_highest_no_problem_rules_out() -> None:
    tsa_down = SigningProblem("tsa_unreachable", "B-T")
    no_ocsp = SigningProblem("revocation_unavailable", "B-LT")
    revoked = SigningProblem("certificate_revoked", "B-B")
    assert reachable_level("B-LTA", []) == "B-LTA"
    assert reachable_level("B-T", []) == "B-T"
    assert reachable_level("B-LTA", [no_ocsp]) == "B-T"
    assert reachable_level("B-LTA", [no_ocsp, tsa_down]) == "B-B"
    assert reachable_level("B-T", [no_ocsp]) == "B-T"
    assert reachable_level("B-LTA", [revoked]) is None


async def test_a_good_signer_with_its_tsa_and_root_passes(plain: Settings, local_pki: LocalPki) -> None:
    assert await signing_preflight(local_pki.configure(plain)) == []
    assert await signing_preflight(local_pki.configure(plain, trust_roots=False)) == []


async def test_a_certificate_without_non_repudiation_is_named(plain: Settings, local_pki: LocalPki) -> None:
    problems = await signing_preflight(local_pki.configure(plain, signer="signer-plain"))
    assert _codes(problems) == ["no_non_repudiation"]
    assert "Plain Officer" in str(problems[0]) and "non-repudiation" in str(problems[0])
    assert problems[0].blocks == "B-B"


async def test_a_certificate_expiring_inside_the_margin_is_named(
    plain: Settings, local_pki: LocalPki
) -> None:
    settings = local_pki.configure(plain, signer="signer-expiring")
    problems = await signing_preflight(settings)
    assert _codes(problems) == ["certificate_expiring"]
    expires = local_pki.validity("signer-expiring")[1]
    assert f"{expires:%Y-%m-%d}" in str(problems[0]) and "30-day" in str(problems[0])
    assert await signing_preflight(replace(settings, signing_margin_days=5)) == []


async def test_a_revoked_signer_is_refused_at_every_level(plain: Settings, local_pki: LocalPki) -> None:
    problems = await signing_preflight(local_pki.configure(plain, signer="signer-revoked"))
    assert _codes(problems) == ["certificate_revoked"]
    assert "revoked" in str(problems[0])
    assert reachable_level("B-LTA", problems) is None


async def test_a_chain_to_no_configured_root_is_named(plain: Settings, local_pki: LocalPki) -> None:
    other = plain.var_dir / "other.p12"
    make_demo_key(other, b"pw", organisation="Elsewhere", common_name="Other root")
    pem = plain.var_dir / "other-root.pem"
    pem.write_bytes(load_signing_key(other, b"pw").certificate.public_bytes(serialization.Encoding.PEM))
    problems = await signing_preflight(replace(local_pki.configure(plain), trust_roots=str(pem)))
    assert set(_codes(problems)) == {"chain_untrusted", "tsa_untrusted"}
    assert all(p.blocks == "B-LT" for p in problems)
    assert "TADQIQ_TRUST_ROOTS" in str(problems[0])


async def test_trust_roots_need_a_tsa_and_must_be_readable(plain: Settings, local_pki: LocalPki) -> None:
    no_tsa = await signing_preflight(local_pki.configure(plain, tsa=False))
    assert _codes(no_tsa) == ["tsa_missing"] and "TADQIQ_TSA_URL" in str(no_tsa[0])
    missing = replace(local_pki.configure(plain), trust_roots=str(plain.var_dir / "nowhere.pem"))
    unreadable = await signing_preflight(missing)
    assert _codes(unreadable) == ["trust_roots_unreadable"] and "nowhere.pem" in str(unreadable[0])


async def test_a_tsa_that_does_not_answer_is_named_with_its_address(
    plain: Settings, local_pki: LocalPki
) -> None:
    url = closed_port_url()
    problems = await signing_preflight(replace(local_pki.configure(plain), tsa_url=url))
    assert _codes(problems) == ["tsa_unreachable"]
    assert str(problems[0]).startswith(f"the timestamp authority {url} does not answer")
    assert problems[0].blocks == "B-T"
    assert reachable_level("B-LTA", problems) == "B-B"


async def test_a_missing_key_is_named(plain: Settings) -> None:
    problems = await signing_preflight(replace(plain, signing_key_path=plain.var_dir / "none.p12"))
    assert _codes(problems) == ["key_unusable"] and "none.p12" in str(problems[0])
