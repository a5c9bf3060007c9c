"""A real PKI on loopback for the signature tests: certomancer's animator serving, over HTTP, the OCSP
responder, the CRLs, the certificate repositories and two RFC 3161 timestamp authorities of
``certomancer.yml`` beside this file.

``serve_local_pki(folder)`` makes fresh RSA keys in ``folder`` (test-only keys, never committed), resolves
the config's relative dates against the current time, starts the animator on a free loopback port in a
thread and yields a ``LocalPki``: the URLs, the trust root as a PEM file, PKCS#12 files of the signers (the
format ``TADQIQ_SIGNING_KEY_PATH`` expects) and ``at(when)``, which makes the services answer as of
another time (an OCSP response after a revocation, a timestamp a year later).

``python -m tests.pki.local_pki`` serves the same PKI by hand until Ctrl-C.
"""

from __future__ import annotations

import contextlib
import re
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from certomancer.integrations.animator import Animator, AnimatorArchStore
from certomancer.registry import ArchLabel, CertLabel, CertomancerConfig
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509 import ocsp
from werkzeug.serving import make_server

from server.lib.clock import utcnow

if TYPE_CHECKING:
    from certomancer.registry import PKIArchitecture
    from werkzeug.serving import BaseWSGIServer

    from server.settings import Settings

__all__ = ["ARCH", "CONFIG", "PKCS12_PASSWORD", "LocalPki", "resolve_dates", "serve_local_pki"]

CONFIG = Path(__file__).with_name("certomancer.yml")
ARCH = "tadqiq"
"""The PKI architecture's label in the config (the first part of every service URL's path)."""
PKCS12_PASSWORD = "tadqiq-test-pki"
_KEY_BITS = 2048
_OFFSET = re.compile(r"@([+-])(\d+)([dh])")


def resolve_dates(node: Any, anchor: datetime) -> Any:
    """``node`` (parsed YAML) with each ``"@±N{d,h}"`` string replaced by that offset from ``anchor``, in
    the ISO 8601 form certomancer reads."""
    if isinstance(node, dict):
        return {key: resolve_dates(value, anchor) for key, value in node.items()}
    if isinstance(node, list):
        return [resolve_dates(value, anchor) for value in node]
    if isinstance(node, str) and (match := _OFFSET.fullmatch(node)):
        sign, amount, unit = match.groups()
        delta = timedelta(days=int(amount)) if unit == "d" else timedelta(hours=int(amount))
        moment = anchor + delta if sign == "+" else anchor - delta
        return moment.strftime("%Y-%m-%dT%H:%M:%S+0000")
    return node


@dataclass(frozen=True, slots=True)
class LocalPki:
    base_url: str
    """``http://127.0.0.1:<port>``: every URL in the certificates starts with it."""
    anchor: datetime
    """The moment the relative dates of the config count from (the session's start, UTC, to the second)."""
    folder: Path
    """Where the keys, the root PEM and the PKCS#12 files are."""
    animator: Animator

    @property
    def architecture(self) -> PKIArchitecture:
        return self.animator.architectures[ArchLabel(ARCH)]

    @property
    def tsa_url(self) -> str:
        """The first timestamp authority: its certificate expires a year after ``anchor``."""
        return f"{self.base_url}/{ARCH}/tsa/tsa"

    @property
    def later_tsa_url(self) -> str:
        """The same authority with a later certificate (another key), valid ten years."""
        return f"{self.base_url}/{ARCH}/tsa/tsa2"

    @property
    def ocsp_url(self) -> str:
        """The OCSP responder for the certificates the intermediate CA issued."""
        return f"{self.base_url}/{ARCH}/ocsp/interm"

    def crl_url(self, issuer: str = "interm") -> str:
        """The latest CRL of ``root`` or ``interm`` (DER)."""
        return f"{self.base_url}/{ARCH}/crls/{issuer}/latest.crl"

    @property
    def root_pem(self) -> Path:
        """The trust root, one PEM certificate (what ``TADQIQ_TRUST_ROOTS`` names)."""
        return self.folder / "root.cert.pem"

    def certificate(self, label: str) -> x509.Certificate:
        """The certificate ``label`` of the config (``signer``, ``tsa``, ``interm`` …)."""
        return x509.load_der_x509_certificate(self.architecture.get_cert(CertLabel(label)).dump())

    def validity(self, label: str) -> tuple[datetime, datetime]:
        """Not before, not after (UTC) of the certificate ``label``: ``validity("tsa")[1]`` is when the
        first timestamp authority's certificate expires."""
        cert = self.certificate(label)
        return cert.not_valid_before_utc, cert.not_valid_after_utc

    def revoked_since(self, label: str) -> datetime | None:
        """When the config revokes the certificate ``label`` (``signer-revoked`` before ``anchor``,
        ``signer-later-revoked`` a day after it), else None."""
        revocation = self.architecture.get_cert_spec(CertLabel(label)).revocation
        return None if revocation is None else revocation.revoked_since

    def pkcs12(self, label: str = "signer") -> Path:
        """A PKCS#12 file (password ``PKCS12_PASSWORD``) of the certificate ``label`` with its key and its
        chain up to the root."""
        path = self.folder / f"{label}.p12"
        if not path.exists():
            blob = self.architecture.package_pkcs12(CertLabel(label), password=PKCS12_PASSWORD.encode())
            path.write_bytes(blob)
        return path

    def configure(
        self, settings: Settings, *, signer: str = "signer", tsa: bool = True, trust_roots: bool = True
    ) -> Settings:
        """``settings`` signing with ``signer``'s key, this PKI's first TSA (or none) and its root as the
        trust root (or none): both, a B-LTA configuration."""
        return replace(
            settings,
            signing_key_path=self.pkcs12(signer),
            signing_key_password=PKCS12_PASSWORD,
            tsa_url=self.tsa_url if tsa else "",
            trust_roots=str(self.root_pem) if trust_roots else "",
        )

    def ocsp_response(self, label: str) -> ocsp.OCSPResponse:
        """What the OCSP responder answers now (or as ``at`` says) for the certificate ``label``."""
        request = (
            ocsp.OCSPRequestBuilder()
            .add_certificate(self.certificate(label), self.certificate("interm"), hashes.SHA256())
            .build()
            .public_bytes(serialization.Encoding.DER)
        )
        posted = urllib.request.Request(  # noqa: S310 - the loopback PKI
            self.ocsp_url, data=request, headers={"Content-Type": "application/ocsp-request"}
        )
        with urllib.request.urlopen(posted, timeout=10) as answer:  # noqa: S310
            return ocsp.load_der_ocsp_response(answer.read())

    @contextlib.contextmanager
    def at(self, when: datetime) -> Iterator[None]:
        """Within the block, the OCSP responder, the CRLs and the TSAs answer as at ``when`` (for every
        client: the animator is shared, so tests using this must not run concurrently)."""
        self.animator.fixed_time = when
        try:
            yield
        finally:
            self.animator.fixed_time = None


class _WholeSecondAnimator(Animator):
    """Answers stamped to the second, as providers' are: certomancer's own carry microseconds, which
    DER-strict parsers (pyca/cryptography's OCSP) refuse in a GeneralizedTime."""

    def at_time(self, request: Any) -> datetime:
        moment: datetime = super().at_time(request)  # type: ignore[no-untyped-call]
        return moment.replace(microsecond=0)


class _LateApp:
    """A WSGI app that forwards to the animator once it exists: the server must be listening (its port
    known) before the config, whose certificates embed the URLs, can be built."""

    animator: Animator | None = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if self.animator is None:
            raise RuntimeError("the local PKI is not ready yet")
        return self.animator(environ, start_response)


def _write_keys(folder: Path, labels: list[str]) -> None:
    for label in labels:
        key = rsa.generate_private_key(public_exponent=65537, key_size=_KEY_BITS)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        (folder / f"{label}.key.pem").write_bytes(pem)


def _build(folder: Path, base_url: str, anchor: datetime) -> Animator:
    raw = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    _write_keys(folder, [str(label) for label in raw["keysets"]["tadqiq-test"]["keys"]])
    config = CertomancerConfig(
        resolve_dates(raw, anchor), key_search_dir=str(folder), external_url_prefix=base_url
    )
    animator = _WholeSecondAnimator(AnimatorArchStore(config.pki_archs), with_web_ui=False)
    root = config.get_pki_arch(ArchLabel(ARCH)).get_cert(CertLabel("root"))
    der = x509.load_der_x509_certificate(root.dump())
    (folder / "root.cert.pem").write_bytes(der.public_bytes(serialization.Encoding.PEM))
    return animator


@contextlib.contextmanager
def serve_local_pki(folder: Path, *, port: int = 0) -> Iterator[LocalPki]:
    """Serve the PKI on ``127.0.0.1:port`` (0: a free port) for the duration of the block."""
    app = _LateApp()
    server: BaseWSGIServer = make_server("127.0.0.1", port, app, threaded=True)
    base_url = f"http://127.0.0.1:{server.port}"
    anchor = utcnow().replace(microsecond=0)
    app.animator = _build(folder, base_url, anchor)
    thread = threading.Thread(target=server.serve_forever, name="local-pki", daemon=True)
    thread.start()
    try:
        yield LocalPki(base_url=base_url, anchor=anchor, folder=folder, animator=app.animator)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def main() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp, serve_local_pki(Path(tmp), port=9000) as pki:
        print(f"TADQIQ_TSA_URL={pki.tsa_url}")
        print(f"TADQIQ_TRUST_ROOTS={pki.root_pem}")
        print(f"TADQIQ_SIGNING_KEY_PATH={pki.pkcs12()}  TADQIQ_SIGNING_KEY_PASSWORD={PKCS12_PASSWORD}")
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
