"""Linking a chat account (Telegram) to an employee, and chat updates handled once.

Everything here is shared state of several Rasa and router processes, so it lives in the
store: the codes (a digest only), the limits (codes per account and per address in the last
hour, wrong tries) and the block after three wrong codes. Outcomes come back as values, not
exceptions, so that a wrong try is committed with the answer that reports it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, func, select

from router.store.tables import ChannelIdentity, ChannelUpdate, Employee, LinkCode, flushed_id

CODE_TTL = timedelta(minutes=10)
WINDOW = timedelta(hours=1)
CODES_PER_ACCOUNT = 3  # codes asked per chat account in WINDOW
CODES_PER_ADDRESS = 3  # codes mailed to one address in WINDOW (whoever asks)
WRONG_TRIES = 3
BLOCK = timedelta(minutes=15)


def _digest(link_id: int, code: str) -> str:
    return hashlib.sha256(f"loket.link|{link_id}|{code}".encode()).hexdigest()


def new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def _blocked_until(
    session: Session, *, channel: str, sender_id: str, now: datetime
) -> datetime | None:
    return session.exec(
        select(func.max(LinkCode.blocked_until)).where(
            LinkCode.channel == channel,
            LinkCode.sender_id == sender_id,
            col(LinkCode.blocked_until) > now,
        )
    ).one()


def _recent(session: Session, *conditions: object, now: datetime) -> int:
    return session.exec(
        select(func.count())
        .select_from(LinkCode)
        .where(col(LinkCode.created_at) > now - WINDOW, *conditions)  # type: ignore[arg-type]
    ).one()


@dataclass(frozen=True)
class CodeRequest:
    result: str  # "sent" (a code to mail), "rate_limited", "blocked"
    code: str | None = None
    retry_after: datetime | None = None


def request_code(
    session: Session, *, channel: str, sender_id: str, email: str, now: datetime
) -> CodeRequest:
    """A new one-time code for this account and address, within the limits; the caller
    mails `code` after commit. Earlier unused codes of the account stop counting."""
    email = email.strip().lower()
    blocked = _blocked_until(session, channel=channel, sender_id=sender_id, now=now)
    if blocked is not None:
        return CodeRequest("blocked", retry_after=blocked)
    if (
        _recent(session, LinkCode.channel == channel, LinkCode.sender_id == sender_id, now=now)
        >= CODES_PER_ACCOUNT
        or _recent(session, LinkCode.email == email, now=now) >= CODES_PER_ADDRESS
    ):
        return CodeRequest("rate_limited")
    for old in session.exec(
        select(LinkCode).where(
            LinkCode.channel == channel,
            LinkCode.sender_id == sender_id,
            col(LinkCode.used_at).is_(None),
        )
    ):
        old.used_at = now  # only the newest code works
        session.add(old)
    code = new_code()
    link = LinkCode(
        channel=channel, sender_id=sender_id, email=email, code_digest="",
        created_at=now, expires_at=now + CODE_TTL,
    )  # fmt: skip
    session.add(link)
    session.flush()
    link.code_digest = _digest(flushed_id(link.id), code)
    session.add(link)
    return CodeRequest("sent", code=code)


@dataclass(frozen=True)
class LinkResult:
    result: str  # "linked", "wrong_code", "blocked", "no_code"
    employee: Employee | None = None
    tries_left: int = 0
    retry_after: datetime | None = None


def confirm_code(
    session: Session,
    *,
    channel: str,
    sender_id: str,
    code: str,
    municipality: str,
    now: datetime,
) -> LinkResult:
    """Check the code typed in the chat; right: the account is linked to the employee of
    the address (one employee record across channels). The caller commits in every case."""
    blocked = _blocked_until(session, channel=channel, sender_id=sender_id, now=now)
    if blocked is not None:
        return LinkResult("blocked", retry_after=blocked)
    query = (
        select(LinkCode)
        .where(
            LinkCode.channel == channel,
            LinkCode.sender_id == sender_id,
            col(LinkCode.used_at).is_(None),
            col(LinkCode.expires_at) > now,
        )
        .order_by(col(LinkCode.created_at).desc())
        .limit(1)
        .with_for_update()
    )
    link = session.exec(query).first()
    if link is None:
        return LinkResult("no_code")
    if not hmac.compare_digest(link.code_digest, _digest(flushed_id(link.id), code.strip())):
        link.wrong_attempts += 1
        if link.wrong_attempts >= WRONG_TRIES:
            link.used_at, link.blocked_until = now, now + BLOCK
        session.add(link)
        if link.blocked_until is not None:
            return LinkResult("blocked", retry_after=link.blocked_until)
        return LinkResult("wrong_code", tries_left=WRONG_TRIES - link.wrong_attempts)
    link.used_at = now
    session.add(link)
    employee = _employee(session, email=link.email, municipality=municipality)
    _bind(session, employee=employee, channel=channel, sender_id=sender_id, now=now)
    return LinkResult("linked", employee=employee)


def _employee(session: Session, *, email: str, municipality: str) -> Employee:
    employee = session.exec(select(Employee).where(Employee.email == email)).first()
    if employee is None:
        employee = Employee(email=email, municipality=municipality)
        session.add(employee)
        session.flush()
    return employee


def _bind(
    session: Session, *, employee: Employee, channel: str, sender_id: str, now: datetime
) -> None:
    identity = session.exec(
        select(ChannelIdentity).where(
            ChannelIdentity.channel == channel, ChannelIdentity.sender_id == sender_id
        )
    ).first() or ChannelIdentity(employee_id=flushed_id(employee.id), channel=channel,
                                 sender_id=sender_id)  # fmt: skip
    identity.employee_id, identity.verified_at = flushed_id(employee.id), now
    session.add(identity)


def linked_employee(session: Session, *, channel: str, sender_id: str) -> Employee | None:
    """The employee a chat account was linked to by a code (verified), else None."""
    identity = session.exec(
        select(ChannelIdentity).where(
            ChannelIdentity.channel == channel,
            ChannelIdentity.sender_id == sender_id,
            col(ChannelIdentity.verified_at).is_not(None),
        )
    ).first()
    return session.get(Employee, identity.employee_id) if identity else None


# Both dialects' INSERTs have ON CONFLICT DO NOTHING; SQLAlchemy's generic Insert has not.
_INSERT: dict[str, Callable[[type[ChannelUpdate]], postgresql.Insert | sqlite.Insert]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}


def claim_update(session: Session, *, channel: str, update_id: str, now: datetime) -> bool:
    """True the first time this update arrives, False for a repeat (also when racing)."""
    insert = _INSERT[session.get_bind().dialect.name]
    taken = session.execute(
        insert(ChannelUpdate)
        .values(channel=channel, update_id=update_id, received_at=now)
        .on_conflict_do_nothing()
        .returning(col(ChannelUpdate.update_id))
    ).first()
    return taken is not None


def release_update(session: Session, *, channel: str, update_id: str) -> None:
    """Handling failed: the platform's retry may take the update again."""
    session.execute(
        delete(ChannelUpdate).where(
            col(ChannelUpdate.channel) == channel, col(ChannelUpdate.update_id) == update_id
        )
    )


def prune_updates(session: Session, *, before: datetime) -> int:
    """Forget updates received before `before` (Telegram retries for a day at most)."""
    result = session.execute(delete(ChannelUpdate).where(col(ChannelUpdate.received_at) < before))
    return int(result.rowcount)  # type: ignore[attr-defined]


def pending_email(session: Session, *, channel: str, sender_id: str) -> str | None:
    """The address of the account's newest code (whether it is still valid or not)."""
    return session.exec(
        select(LinkCode.email)
        .where(LinkCode.channel == channel, LinkCode.sender_id == sender_id)
        .order_by(col(LinkCode.created_at).desc(), col(LinkCode.id).desc())
        .limit(1)
    ).first()
