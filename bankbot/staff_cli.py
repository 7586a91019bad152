"""`python -m bankbot staff add|passwd|list`: staff accounts for production.

Development seeds demo accounts; production starts with none and refuses the
demo passwords, so operators create real accounts here. Passwords are read
from the terminal (or BANKBOT_STAFF_PASSWORD for automation), never from argv.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os

from sqlalchemy import select

from handoff.core.config import Settings
from handoff.core.db import make_engine, make_sessionmaker
from handoff.models.staff import Agent, StaffRole
from handoff.services.staff import hash_password

MIN_PASSWORD = 12


def read_password() -> str:
    """From the terminal or BANKBOT_STAFF_PASSWORD; never from argv."""
    password = os.environ.get("BANKBOT_STAFF_PASSWORD") or getpass.getpass("password: ")
    if len(password) < MIN_PASSWORD:
        raise SystemExit(f"the password needs at least {MIN_PASSWORD} characters")
    return password


async def _run(args: argparse.Namespace) -> int:
    engine = make_engine(Settings().database_url)
    sessions = make_sessionmaker(engine)
    try:
        async with sessions() as session:
            if args.staff_command == "list":
                for member in await session.scalars(select(Agent).order_by(Agent.username)):
                    print(f"{member.username:<20} {member.role.value:<11} {member.display_name}")
                return 0
            agent = await session.scalar(select(Agent).where(Agent.username == args.username))
            if args.staff_command == "add":
                if agent is not None:
                    raise SystemExit(f"{args.username} exists; use `staff passwd`")
                session.add(
                    Agent(
                        username=args.username,
                        display_name=args.name,
                        role=StaffRole(args.role),
                        password_hash=await hash_password(read_password()),
                    )
                )
            else:
                if agent is None:
                    raise SystemExit(f"no account {args.username}")
                agent.password_hash = await hash_password(read_password())
            await session.commit()
            print(f"{args.username}: saved")
            return 0
    finally:
        await engine.dispose()


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register `staff add|passwd|list`."""
    staff = sub.add_parser("staff", help="create staff accounts or change their passwords")
    actions = staff.add_subparsers(dest="staff_command", required=True)
    add = actions.add_parser("add", help="create an account")
    add.add_argument("username")
    add.add_argument("--name", required=True, help="display name shown to customers")
    add.add_argument("--role", choices=[r.value for r in StaffRole], default="agent")
    passwd = actions.add_parser("passwd", help="set a new password")
    passwd.add_argument("username")
    actions.add_parser("list", help="list accounts")


def main(args: argparse.Namespace) -> int:
    """Run a `staff` subcommand."""
    return asyncio.run(_run(args))
