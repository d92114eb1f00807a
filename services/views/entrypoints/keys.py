"""The issuer's public keys: every service verifies sign-in tokens against this JWKS."""

from fastapi import APIRouter, Request, Response

from shared.web.keys import TokenKeys
from shared.web.schemas import Schema

router = APIRouter(tags=["sign-in"])


class PublicKey(Schema):
    """An Ed25519 public key as a JWK (RFC 8037)."""

    kty: str
    crv: str
    x: str
    kid: str
    alg: str
    use: str


class KeySetDocument(Schema):
    """The JWKS (RFC 7517): the current key and, during a rotation, the one it replaces."""

    keys: list[PublicKey]


@router.get("/.well-known/jwks.json", summary="The public keys sign-in tokens are signed with (JWKS)")
async def jwks(request: Request, response: Response) -> KeySetDocument:
    keys: TokenKeys = request.app.state.token_keys
    published = await keys.read()
    response.headers["Cache-Control"] = "public, max-age=300"
    return KeySetDocument.model_validate(published.jwks())
