"""Who a person signed in at an identity provider is on the pages: the claims of the ID token read
through the provider's `ClaimMapping` into an `Identity`, or a refusal naming what is missing.

Only a role of the pages lets a person in (the coordinating office, a unit's staff or leader), and a
unit role only with a unit the registry knows. The subject is the provider's name and its subject
(`wuhai:3f2a…`), so the people of two providers never share one.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, get_args

from services.views.config import ClaimMapping, IdentityProvider, PageRole, ViewsSettings
from shared.rules.units import UnitRegistry, UnknownUnit
from shared.settings import ServiceSettings
from shared.web.identity import UNIT_ROLES, Identity
from shared.web.oidc import Registration, RelyingParty

PAGE_ROLES: tuple[PageRole, ...] = get_args(PageRole)

Refusal = Literal["no_subject", "no_role", "several_roles", "no_unit", "unknown_unit"]


class NotAllowed(Exception):
    """The claims give no person of the pages: `refusal` says why, `written` the unit they named."""

    def __init__(self, refusal: Refusal, reason: str, written: str = "") -> None:
        super().__init__(f"{refusal}: {reason}")
        self.refusal: Refusal = refusal
        self.reason = reason
        self.written = written


def identity_from_claims(
    provider: str, claims: Mapping[str, object], mapping: ClaimMapping, units: UnitRegistry
) -> Identity:
    subject = claims.get(mapping.subject)
    if not isinstance(subject, str) or not subject.strip():
        raise NotAllowed("no_subject", f"no subject in the claim {mapping.subject!r}")
    role = role_from_claims(claims, mapping)
    unit = None
    if role in UNIT_ROLES:
        written = claims.get(mapping.unit)
        if not isinstance(written, str) or not written.strip():
            raise NotAllowed(
                "no_unit", f"the role {role} needs a unit, and the claim {mapping.unit!r} names none"
            )
        try:
            unit = units.resolve(written).id
        except UnknownUnit:
            raise NotAllowed(
                "unknown_unit", f"the unit {written!r} is not in the registry", written
            ) from None
    name = claims.get(mapping.name)
    shown = name.strip() if isinstance(name, str) and name.strip() else subject
    return Identity(subject=f"{provider}:{subject}", role=role, name=shown, unit=unit)


def role_from_claims(claims: Mapping[str, object], mapping: ClaimMapping) -> PageRole:
    """The one role of the pages the role claim gives, alone or among other values of a list."""
    value = claims.get(mapping.role)
    values = value if isinstance(value, list) else [value]
    roles = {role for v in values if isinstance(v, str) and (role := _role(v, mapping)) is not None}
    if not roles:
        raise NotAllowed("no_role", f"the claim {mapping.role!r} ({value!r}) names no role of the pages")
    if len(roles) > 1:
        raise NotAllowed("several_roles", f"the claim {mapping.role!r} names several roles: {sorted(roles)}")
    return roles.pop()


def _role(value: str, mapping: ClaimMapping) -> PageRole | None:
    if value in mapping.roles:
        return mapping.roles[value]
    return next((role for role in PAGE_ROLES if role == value), None)


def jurisdiction_from_claims(claims: Mapping[str, object], mapping: ClaimMapping) -> str | None:
    found = claims.get(mapping.jurisdiction)
    return found if isinstance(found, str) and found else None


@dataclass(frozen=True)
class SignInProvider:
    """An identity provider as the pages offer it: its name in paths, the name people read, how its
    claims are read, and the relying party that talks to it."""

    name: str
    display_name: str
    claims: ClaimMapping
    party: RelyingParty

    @classmethod
    def configured(cls, name: str, provider: IdentityProvider) -> "SignInProvider":
        registration = Registration(
            issuer=provider.issuer,
            client_id=provider.client_id,
            client_secret=provider.client_secret.get_secret_value(),
            redirect_url=provider.redirect_url,
            scope=provider.scope,
            auth_method=provider.token_auth_method,
        )
        return cls(name, provider.display_name, provider.claims, RelyingParty(registration))


class SignInProviders:
    """The identity providers the views are configured with (`OIDC_PROVIDERS`), by name."""

    def __init__(self, providers: Mapping[str, SignInProvider]) -> None:
        self._providers = dict(providers)

    @classmethod
    def of(cls, settings: ServiceSettings) -> "SignInProviders":
        configured = settings.oidc_providers if isinstance(settings, ViewsSettings) else {}
        return cls({name: SignInProvider.configured(name, p) for name, p in configured.items()})

    def get(self, name: str) -> SignInProvider | None:
        return self._providers.get(name)
