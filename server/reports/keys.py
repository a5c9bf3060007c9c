"""The organisation's signing key: a PKCS#12 file holding a private key and its certificate.

``make_demo_key`` writes a self-signed one (``tadqiq keys init``); ``load_signing_key`` reads it for
``signing.sign_pdf`` and refuses, with a message an operator can act on, a file that is missing, a wrong
password, or a certificate outside its validity period. Messages here are for the operator (the command
line, the server log), so they are English, like the command's own.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.keys.internal import (
    translate_pyca_cryptography_cert_to_asn1,
    translate_pyca_cryptography_key_to_asn1,
)
from pyhanko.sign.signers.pdf_cms import SimpleSigner
from pyhanko_certvalidator.registry import CertificateRegistry, CertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from server.lib.clock import utcnow

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

    from server.settings import Settings

__all__ = [
    "DEMO_KEY_PASSWORD",
    "KeyDescription",
    "SigningKey",
    "SigningKeyError",
    "certificate_fingerprint",
    "describe_key_file",
    "has_non_repudiation",
    "key_password",
    "load_configured_key",
    "load_signing_key",
    "load_trust_roots",
    "make_demo_key",
]

DEMO_KEY_PASSWORD = "tadqiq-demo-signing"  # noqa: S105 - the documented demo passphrase
"""The passphrase of the demo key when ``TADQIQ_SIGNING_KEY_PASSWORD`` is empty (a demo only)."""

_RSA_BITS = 3072
_KEY_USAGE_NAMES = {
    "digital_signature": "digitalSignature",
    "content_commitment": "nonRepudiation",
    "key_encipherment": "keyEncipherment",
    "data_encipherment": "dataEncipherment",
    "key_agreement": "keyAgreement",
    "key_cert_sign": "keyCertSign",
    "crl_sign": "cRLSign",
}


class SigningKeyError(Exception):
    """The signing key cannot be used; the message says why and what to do."""


class _LoadedKeySigner(SimpleSigner):
    """pyHanko's ``SimpleSigner``, but signing with the key object loaded once.

    ``SimpleSigner`` decodes its key from DER at every signature, and for RSA that decoding checks the key
    (about 0.1 s for 3072 bits), twice per PDF (pyHanko signs once more to size the signature). Mechanisms
    other than RSA PKCS#1 v1.5 and ECDSA are left to pyHanko.
    """

    def __init__(
        self, private_key: PrivateKeyTypes, certificate: x509.Certificate, others: CertificateStore
    ) -> None:
        super().__init__(
            signing_cert=translate_pyca_cryptography_cert_to_asn1(certificate),
            signing_key=translate_pyca_cryptography_key_to_asn1(private_key),
            cert_registry=others,
        )
        self._private_key = private_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        hash_algorithm = get_pyca_cryptography_hash(digest_algorithm)
        key = self._private_key
        if mechanism == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), hash_algorithm)
        if mechanism == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(hash_algorithm))
        return super().sign_raw(data, digest_algorithm)


@dataclass(frozen=True, slots=True)
class SigningKey:
    signer: SimpleSigner
    """pyHanko's signer, holding the private key and the certificate."""
    certificate: x509.Certificate
    """The signer's certificate (the one a verifier is told to trust)."""


@dataclass(frozen=True, slots=True)
class KeyDescription:
    """What ``tadqiq keys show`` prints."""

    subject: str
    issuer: str
    not_before: datetime
    not_after: datetime
    status: str
    """'valid', 'expired on …' or 'not valid before …'."""
    fingerprint: str
    key_usage: list[str]
    key_type: str


def make_demo_key(
    path: Path,
    password: bytes,
    *,
    organisation: str,
    common_name: str,
    days: int = 3 * 365,
    force: bool = False,
) -> None:
    """Write a self-signed RSA-3072 certificate and its key to ``path`` as PKCS#12 (mode 0600).

    The certificate may sign documents (digitalSignature and nonRepudiation) and nothing else. The parent
    folder is created. An existing file is kept (``SigningKeyError``) unless ``force`` is set: replacing
    a key makes every report signed with it unverifiable against the new certificate.
    """
    if not password:
        raise SigningKeyError("a password is needed to protect the signing key")
    if days < 1:
        raise SigningKeyError(f"the certificate must be valid for at least one day (got {days})")
    if path.exists() and not force:
        raise SigningKeyError(
            f"{path} already exists: reports signed with it verify only against its certificate. "
            "Use --force to replace it anyway."
        )
    key = rsa.generate_private_key(public_exponent=65537, key_size=_RSA_BITS)
    certificate = _self_signed(key, organisation=organisation, common_name=common_name, days=days)
    blob = pkcs12.serialize_key_and_certificates(
        common_name.encode(),
        key,
        certificate,
        None,
        serialization.BestAvailableEncryption(password),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(blob)
    temporary.chmod(0o600)
    temporary.replace(path)


def _self_signed(
    key: rsa.RSAPrivateKey, *, organisation: str, common_name: str, days: int
) -> x509.Certificate:
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = utcnow().replace(microsecond=0)
    public = key.public_key()
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )


def load_signing_key(path: Path, password: bytes, *, now: datetime | None = None) -> SigningKey:
    """Read the PKCS#12 file at ``path``; ``SigningKeyError`` if it is missing, unreadable, locked with
    another password, or its certificate is not valid at ``now`` (default: the current time)."""
    key, certificate, others = _open_pkcs12(path, password)
    _check_validity(path, certificate, now or utcnow())
    store = CertificateRegistry.build(translate_pyca_cryptography_cert_to_asn1(c) for c in others)
    return SigningKey(signer=_LoadedKeySigner(key, certificate, store), certificate=certificate)


def _open_pkcs12(
    path: Path, password: bytes
) -> tuple[PrivateKeyTypes, x509.Certificate, list[x509.Certificate]]:
    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        raise SigningKeyError(
            f"no signing key at {path}: run `tadqiq keys init` for a demo key, or set "
            "TADQIQ_SIGNING_KEY_PATH to the organisation's PKCS#12 file"
        ) from None
    except OSError as error:
        raise SigningKeyError(f"cannot read the signing key {path}: {error.strerror}") from None
    try:
        key, certificate, others = pkcs12.load_key_and_certificates(blob, password or None)
    except ValueError:
        raise SigningKeyError(
            f"cannot open the signing key {path}: wrong password (TADQIQ_SIGNING_KEY_PASSWORD) "
            "or not a PKCS#12 file"
        ) from None
    if key is None or certificate is None:
        raise SigningKeyError(f"{path} must hold both a private key and its certificate")
    return key, certificate, others


def _validity_problem(certificate: x509.Certificate, now: datetime) -> str | None:
    if now > certificate.not_valid_after_utc:
        return f"expired on {certificate.not_valid_after_utc:%Y-%m-%d %H:%M} UTC"
    if now < certificate.not_valid_before_utc:
        return f"not valid before {certificate.not_valid_before_utc:%Y-%m-%d %H:%M} UTC"
    return None


def _check_validity(path: Path, certificate: x509.Certificate, now: datetime) -> None:
    problem = _validity_problem(certificate, now)
    if problem is None:
        return
    if problem.startswith("expired"):
        raise SigningKeyError(
            f"the certificate in {path} {problem}: renew it (for a demo key, `tadqiq keys init --force`; "
            "reports signed with the old key stay verifiable only against the old certificate)"
        )
    raise SigningKeyError(f"the certificate in {path} is {problem}: check the system clock")


def key_password(settings: Settings) -> bytes:
    """The configured key password, or the demo passphrase when none is set."""
    return (settings.signing_key_password or DEMO_KEY_PASSWORD).encode()


def load_configured_key(settings: Settings) -> SigningKey:
    """The key named by the settings (``signing_key_file``, ``signing_key_password``)."""
    return load_signing_key(settings.signing_key_file, key_password(settings))


def load_trust_roots(settings: Settings) -> list[x509.Certificate]:
    """The certificates of the PEM files ``TADQIQ_TRUST_ROOTS`` names (comma-separated; a file may hold
    several), none when it is empty; ``SigningKeyError`` for a file missing, unreadable or holding no
    certificate. These alone are trusted for long-term signatures, never the system's list."""
    roots: list[x509.Certificate] = []
    for name in (part.strip() for part in settings.trust_roots.split(",")):
        if not name:
            continue
        path = Path(name)
        try:
            found = x509.load_pem_x509_certificates(path.read_bytes())
        except OSError as error:
            raise SigningKeyError(f"cannot read the trust root {path}: {error.strerror}") from None
        except ValueError:
            raise SigningKeyError(f"{path} holds no PEM certificate (TADQIQ_TRUST_ROOTS)") from None
        roots.extend(found)
    return roots


def has_non_repudiation(certificate: x509.Certificate) -> bool:
    """The certificate's key usage includes non-repudiation (content commitment), which a signature
    committing its signer to a report's content calls for."""
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return False
    return bool(usage.content_commitment)


def certificate_fingerprint(certificate: SigningKey | x509.Certificate) -> str:
    """SHA-256 of the DER certificate, lower-case hex (64 characters)."""
    cert = certificate.certificate if isinstance(certificate, SigningKey) else certificate
    return cert.fingerprint(hashes.SHA256()).hex()


def describe_key_file(path: Path, password: bytes, *, now: datetime | None = None) -> KeyDescription:
    """What the key file holds, even when its certificate is expired (``status`` says so)."""
    key, cert, _ = _open_pkcs12(path, password)
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        names = [label for attr, label in _KEY_USAGE_NAMES.items() if getattr(usage, attr)]
    except x509.ExtensionNotFound:
        names = []
    key_type = f"RSA {key.key_size}" if isinstance(key, rsa.RSAPrivateKey) else type(key).__name__
    if isinstance(key, ec.EllipticCurvePrivateKey):
        key_type = f"ECDSA {key.curve.name}"
    return KeyDescription(
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        status=_validity_problem(cert, now or utcnow()) or "valid",
        fingerprint=certificate_fingerprint(cert),
        key_usage=names,
        key_type=key_type,
    )
