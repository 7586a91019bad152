"""`python -m bankbot staff add|passwd|list|disable|enable|reset-totp`: staff accounts.

Development seeds demo accounts; production starts with none and refuses the
demo passwords, so operators create real accounts here. Passwords are read
from the terminal (or BANKBOT_STAFF_PASSWORD for automation), never from argv.
A new password, and disabling an account, end every session of the account
at once; a disabled agent's chats return to the queue when the console's
heartbeats stop (within the heartbeat timeout).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.core.config import Settings
from handoff.core.db import make_engine, make_sessionmaker
from handoff.models.staff import Agent, StaffRole, StaffSession
from handoff.services import security_log, totp
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
                    flags = ("disabled " if member.disabled else "") + (
                        "2fa" if totp.enrolled(member) else ""
                    )
                    print(
                        f"{member.username:<20} {member.role.value:<11} "
                        f"{member.display_name:<20} {flags}".rstrip()
                    )
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
                await _change(session, agent, args.staff_command)
            await session.commit()
            print(f"{args.username}: saved")
            return 0
    finally:
        await engine.dispose()


async def _change(session: AsyncSession, agent: Agent, command: str) -> None:
    """passwd, disable, enable, reset-totp on an existing account."""
    now = datetime.now(UTC)
    if command == "passwd":
        agent.password_hash = await hash_password(read_password())
    elif command == "disable":
        agent.disabled = True
    elif command == "enable":
        agent.disabled = False
    elif command == "reset-totp":
        totp.reset(agent)
    if command in ("passwd", "disable", "reset-totp"):
        agent.sessions_valid_after = now
        await session.execute(delete(StaffSession).where(StaffSession.agent_id == agent.id))
    session.add(security_log.event(f"staff_{command.replace('-', '_')}", actor=agent.username))


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register `staff add|passwd|list`."""
    staff = sub.add_parser("staff", help="create staff accounts or change their passwords")
    actions = staff.add_subparsers(dest="staff_command", required=True)
    add = actions.add_parser("add", help="create an account")
    add.add_argument("username")
    add.add_argument("--name", required=True, help="display name shown to customers")
    add.add_argument("--role", choices=[r.value for r in StaffRole], default="agent")
    passwd = actions.add_parser("passwd", help="set a new password (ends every session)")
    passwd.add_argument("username")
    for name, text in [
        ("disable", "refuse logins and end every session"),
        ("enable", "allow logins again"),
        ("reset-totp", "forget the second factor (the member enrols again)"),
    ]:
        actions.add_parser(name, help=text).add_argument("username")
    actions.add_parser("list", help="list accounts")


def main(args: argparse.Namespace) -> int:
    """Run a `staff` subcommand."""
    return asyncio.run(_run(args))
