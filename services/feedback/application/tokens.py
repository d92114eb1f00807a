"""The feedback form's link token: the credential of a proposer who answers without logging in.

Deterministic, so a redelivered reply yields the same events; unguessable without the secret.
"""

import hashlib
import hmac


def form_token(secret: str, proposal_id: str, round_: int, proposer_id: str) -> str:
    message = f"{proposal_id}/{round_}/{proposer_id}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
