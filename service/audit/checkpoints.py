"""Signed checkpoints of the sealed chain head, kept in a file outside the database (Ed25519).

A checkpoint says "link `seq` of the chain, sealing entry `entry_id`, had hash `hash` at `at`",
signed with a key that never enters the database. Someone who can rewrite the database (even
a superuser who re-hashes every later link) cannot make an older checkpoint agree with the
rewritten chain, nor sign a new one. One JSON object per line, appended, never rewritten.
"""

import json
import os
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

# Domain separation: a checkpoint signature can never be mistaken for any other signed text.
CONTEXT = b"cadre-audit-checkpoint-v1\n"


@dataclass(frozen=True)
class Checkpoint:
    """One signed statement about the chain head."""

    seq: int
    entry_id: int
    hash: str
    at: str
    key: str
    sig: str

    def at_datetime(self) -> datetime:
        """When it was signed."""
        return datetime.fromisoformat(self.at)

    def message(self) -> bytes:
        """The bytes that are signed."""
        body = {"seq": self.seq, "entry_id": self.entry_id, "hash": self.hash, "at": self.at}
        return CONTEXT + json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


class Signer:
    """The checkpoint signing key (from settings) and its public half."""

    def __init__(self, private_hex: str) -> None:
        try:
            seed = bytes.fromhex(private_hex.strip())
            self._key = Ed25519PrivateKey.from_private_bytes(seed)
        except ValueError as exc:
            raise ValueError("CADRE_AUDIT_SIGNING_KEY 必须是 64 位十六进制（32 字节 Ed25519 私钥）") from exc
        self.public_hex = public_hex(self._key.public_key())

    def sign(self, *, seq: int, entry_id: int, hash: str, at: datetime) -> Checkpoint:
        """A signed checkpoint of the given head."""
        unsigned = Checkpoint(seq, entry_id, hash, at.isoformat(), self.public_hex, "")
        return Checkpoint(seq, entry_id, hash, unsigned.at, self.public_hex,
                          self._key.sign(unsigned.message()).hex())


def generate_key() -> tuple[str, str]:
    """A new signing key: (private hex for CADRE_AUDIT_SIGNING_KEY, public hex for auditors)."""
    key = Ed25519PrivateKey.generate()
    seed = key.private_bytes_raw()
    return seed.hex(), public_hex(key.public_key())


def public_hex(key: Ed25519PublicKey) -> str:
    """Raw public key bytes, hex."""
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def valid(cp: Checkpoint, public_key_hex: str) -> bool:
    """Whether the checkpoint carries a good signature by the given public key."""
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex))
        key.verify(bytes.fromhex(cp.sig), cp.message())
    except (ValueError, InvalidSignature):
        return False
    return cp.key == public_key_hex


def append(path: Path, cp: Checkpoint) -> None:
    """Append a checkpoint to the file (directory 0700, file 0600: only the service's OS user)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (json.dumps(asdict(cp), sort_keys=True) + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def parse(text: str) -> tuple[list[Checkpoint], list[int]]:
    """Checkpoints in a file's text (JSON lines or a JSON export), and the line numbers that are not."""
    lines = text.splitlines()
    try:
        whole = json.loads(text)
    except ValueError:
        whole = None
    if isinstance(whole, dict) and isinstance(whole.get("items"), list):
        # The auditors' export (GET /api/audit/checkpoints) saved as one JSON document.
        items: list[Any] = whole["items"]
        lines = [json.dumps(i) for i in items]
    out: list[Checkpoint] = []
    bad: list[int] = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            out.append(Checkpoint(int(raw["seq"]), int(raw["entry_id"]), str(raw["hash"]),
                                  str(raw["at"]), str(raw["key"]), str(raw["sig"])))
        except (ValueError, KeyError, TypeError):
            bad.append(n)
    return out, bad


def load(path: Path) -> tuple[list[Checkpoint], list[int]]:
    """The checkpoints of a file ([] when it does not exist yet)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return [], []
    return parse(text)
