"""The manifest (what the bundle holds, signed) and its Ed25519 signature.

`manifest.json` is canonical JSON (sorted keys, no whitespace, UTF-8). `files` lists every entry of the ZIP except
`manifest.json` itself and `signature` (which signs the manifest's exact bytes), in the order they were written,
each with its SHA-256 and size; `public-key.pem` is listed too, so a swapped key shows as a changed file.

`generated_at` is the wall-clock time of a current export. An export of a past instant (`point_in_time` true) sets
it to null: its content is fully determined by the chain and the instant, and leaving the clock out is what makes
two exports of the same instant byte-identical.

Check by hand: `openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in manifest.json -sigfile signature`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from reports.export import rules
from reports.export.source import ExportScope
from tracker import __version__, canonical
from tracker.audit.models import GENESIS_HASH

HASH_RULE = (
    "hash = sha256(prev_hash + body) where body is the event line without its hash member: the canonical JSON of "
    "seq, occurred_at, actor, role, request_id, action, entity_type, entity_id, state, prev_hash"
)


@dataclass(frozen=True)
class FileEntry:
    """One file of the bundle as the manifest records it."""

    path: str
    sha256: str
    size: int


@dataclass(frozen=True)
class EntitySummary:
    """One entity type's data files as the manifest records them."""

    entity_type: str
    records: int
    source: str  # "audit_chain" or "custom"
    id_order: str  # "numeric" or "code_point"


def build(
    *,
    scope: ExportScope,
    system_id: str,
    entities: list[EntitySummary],
    files: list[FileEntry],
) -> dict[str, Any]:
    """The manifest document."""
    return {
        "format": rules.FORMAT,
        "format_version": rules.FORMAT_VERSION,
        "generator": f"sectrack {__version__}",
        "system_id": system_id,
        "as_of": canonical.isoformat_utc(scope.as_of),
        "point_in_time": scope.point_in_time,
        "generated_at": None if scope.point_in_time else canonical.isoformat_utc(scope.generated_at),
        "chain": {
            "events": scope.head.seq,
            "head_seq": scope.head.seq,
            "head_hash": scope.head.hash,
            "genesis_hash": GENESIS_HASH,
            "file": rules.EVENTS,
            "hash_rule": HASH_RULE,
        },
        "entities": {
            e.entity_type: {"records": e.records, "source": e.source, "id_order": e.id_order} for e in entities
        },
        "files": [{"path": f.path, "sha256": f.sha256, "size": f.size} for f in files],
        "signature": {
            "algorithm": "Ed25519",
            "file": rules.SIGNATURE,
            "covers": f"the exact bytes of {rules.MANIFEST}",
            "public_key": rules.PUBLIC_KEY,
        },
    }


def encode(document: dict[str, Any]) -> bytes:
    """The manifest's bytes: canonical JSON."""
    return canonical.dump_bytes(document)


def sign(key: Ed25519PrivateKey, manifest_bytes: bytes) -> bytes:
    """The 64-byte Ed25519 signature over the manifest (Ed25519 is deterministic: same bytes, same signature)."""
    return key.sign(manifest_bytes)


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    """An Ed25519 public key from PEM; ValueError with a clear message otherwise."""
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError) as exc:
        raise ValueError("it is not a PEM public key") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"it holds a {type(key).__name__}, not an Ed25519 key")
    return key


def signature_valid(public_key: Ed25519PublicKey, manifest_bytes: bytes, signature: bytes) -> bool:
    """True when `signature` is the key's signature over exactly these bytes."""
    try:
        public_key.verify(signature, manifest_bytes)
    except InvalidSignature:
        return False
    return True
