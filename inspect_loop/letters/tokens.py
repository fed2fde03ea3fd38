"""The signed token in a document's QR code, and the short code printed beside it.

The token carries the document id and a random nonce chosen at issue, signed with the application's
secret: the nonce makes tokens unguessable even for consecutive ids, the signature makes them unforgeable.
"""

import hashlib
from functools import cache

from itsdangerous import BadData, URLSafeSerializer

TOKEN_SALT = "inspect_loop.document-verify"

# Crockford's base32: no I, L, O or U, so a code read aloud or typed from paper is not misread.
CROCKFORD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@cache
def _serializer(secret_key: str) -> URLSafeSerializer:
    # itsdangerous signs with SHA-1 unless told otherwise. Made once per key: every QR scan reads a token.
    return URLSafeSerializer(secret_key, salt=TOKEN_SALT, signer_kwargs={"digest_method": hashlib.sha256})


def make_token(secret_key: str, document_id: int, nonce: str) -> str:
    return _serializer(secret_key).dumps([document_id, nonce])


def read_token(secret_key: str, token: str) -> tuple[int, str] | None:
    """The document id and nonce of a genuine token; None when it is forged, altered or garbled."""
    try:
        payload = _serializer(secret_key).loads(token)
    except BadData:
        return None
    match payload:
        case [int(document_id), str(nonce)] if not isinstance(document_id, bool):
            return document_id, nonce
    return None


def short_code(token: str) -> str:
    """Eight Crockford base32 characters from the token's SHA-256, grouped for reading: 'K7Q2-9XMD'."""
    bits = int.from_bytes(hashlib.sha256(token.encode()).digest()[:5])
    characters = "".join(CROCKFORD_ALPHABET[(bits >> shift) & 31] for shift in range(35, -1, -5))
    return f"{characters[:4]}-{characters[4:]}"


# What people mistype when copying a code by hand: letters Crockford's alphabet leaves out for their twins.
CROCKFORD_MISREADINGS = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


def normalise_code(code: str) -> str:
    """A typed short code in the printed form's characters, without grouping: 'k7q2 9xmd' → 'K7Q29XMD'."""
    return "".join(character for character in (code or "").upper().translate(CROCKFORD_MISREADINGS)
                   if character in CROCKFORD_ALPHABET)
