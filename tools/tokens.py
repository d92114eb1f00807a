"""Issue a development token: `python -m tools.tokens --role unit_staff --unit minzheng --name 孙雪斌`.

The token is signed with the key of TOKEN_SIGNING_KEY_FILE from the environment (outside production,
the development key by default), so services that accept that key's JWKS accept it. Use it as
`Authorization: Bearer <token>`.
"""

import argparse
from datetime import timedelta

from shared.settings import ServiceSettings
from shared.web.identity import ROLES, UNIT_ROLES, Identity, issue_token


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--role", choices=ROLES, required=True)
    parser.add_argument("--subject", help="a stable id of the person (default: the name)")
    parser.add_argument("--name", default="", help="the person's name, e.g. 刘建峰")
    parser.add_argument("--unit", help="the unit id, required for unit_staff and unit_leader")
    parser.add_argument("--days", type=int, default=30, help="validity in days")
    args = parser.parse_args(argv)
    if args.role in UNIT_ROLES and not args.unit:
        parser.error(f"--unit is required for the role {args.role}")
    subject = args.subject or args.name or args.role
    identity = Identity(subject=subject, role=args.role, name=args.name, unit=args.unit)
    key = ServiceSettings().signing_key()
    return issue_token(identity, key, timedelta(days=args.days))


if __name__ == "__main__":
    print(main())
