"""Sealing secrets (account tokens, OAuth verifiers) before they are written: KMS Encrypt with an
encryption context naming what the secret belongs to, so a sealed value copied onto another item
does not open there. KMS takes up to 4,096 bytes of plaintext, far above any network's tokens."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Protocol


class Sealer(Protocol):
    def seal(self, secret: Mapping[str, str], context: Mapping[str, str]) -> bytes: ...

    def open(self, sealed: bytes, context: Mapping[str, str]) -> dict[str, str]: ...


class KmsSealer:
    def __init__(self, client: Any, key_id: str) -> None:
        self._kms = client
        self._key_id = key_id

    def seal(self, secret: Mapping[str, str], context: Mapping[str, str]) -> bytes:
        plaintext = json.dumps(dict(secret), separators=(",", ":")).encode("utf-8")
        answer = self._kms.encrypt(KeyId=self._key_id, Plaintext=plaintext, EncryptionContext=dict(context))
        return bytes(answer["CiphertextBlob"])

    def open(self, sealed: bytes, context: Mapping[str, str]) -> dict[str, str]:
        answer = self._kms.decrypt(CiphertextBlob=sealed, EncryptionContext=dict(context), KeyId=self._key_id)
        opened = json.loads(answer["Plaintext"])
        return {str(k): str(v) for k, v in opened.items()}
