"""Staff accounts: argon2id password hashes, creation and sign-in checks (store functions)."""

from __future__ import annotations

import hashlib
import re
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, func, select

from router.domain.errors import InvalidInput
from router.domain.org import Organisation
from router.domain.vocabulary import Role
from router.store.tables import StaffAccount

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD = 12
_HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters


class AccountError(InvalidInput):
    """An account that cannot be created or changed; the message says why (Dutch)."""

    def dutch(self) -> str:
        return str(self)


@cache
def _dummy_hash() -> str:
    """Verified when the username does not exist, so both answers take the same time."""
    return _HASHER.hash("not-the-password-of-anyone")


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Het wachtwoord moet minstens {MIN_PASSWORD} tekens hebben.")
    return _HASHER.hash(password)


def password_fingerprint(account: StaffAccount) -> str:
    """Part of the session: a new password or a deactivated account ends old sessions."""
    return hashlib.sha256(f"{account.password_hash}|{account.active}".encode()).hexdigest()[:16]


def create_account(
    session: Session,
    *,
    username: str,
    password: str,
    role: Role,
    municipality: str | None,
    org: Organisation,
) -> StaffAccount:
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise AccountError("Gebruikersnaam: kleine letters, cijfers, punt, streepje (2-64 tekens).")
    if role == Role.coordinator:
        if not municipality:
            raise AccountError("Een coördinator hoort bij één gemeente (--municipality).")
        municipality = org.municipality_key(municipality)
    elif municipality:
        raise AccountError("Alleen een coördinator hoort bij één gemeente.")
    if find_account(session, username):
        raise AccountError(f"Het account '{username}' bestaat al.")
    account = StaffAccount(
        username=username,
        password_hash=hash_password(password),
        role=Role(role),
        municipality=municipality if role == Role.coordinator else None,
    )
    session.add(account)
    session.flush()
    return account


def account_by_id(session: Session, account_id: int) -> StaffAccount | None:
    return session.get(StaffAccount, account_id)


def find_account(session: Session, username: str) -> StaffAccount | None:
    """Case-insensitive, also for rows stored before names were lowercased on creation."""
    return session.exec(
        select(StaffAccount).where(func.lower(StaffAccount.username) == username.strip().lower())
    ).first()


def authenticate(session: Session, *, username: str, password: str) -> StaffAccount | None:
    """The active account with this password, or None; rehashes when parameters changed."""
    account = find_account(session, username)
    try:
        _HASHER.verify(account.password_hash if account else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    if account is None or not account.active:
        return None
    if _HASHER.check_needs_rehash(account.password_hash):
        account.password_hash = _HASHER.hash(password)
        session.add(account)
    return account


def set_password(session: Session, *, username: str, password: str) -> StaffAccount:
    """A new password; every open session of the account ends."""
    account = _existing(session, username)
    account.password_hash = hash_password(password)
    account.session_generation += 1
    session.add(account)
    return account


def set_active(session: Session, *, username: str, active: bool) -> StaffAccount:
    """(De)activate; deactivation ends every open session of the account."""
    account = _existing(session, username)
    if account.active and not active:
        account.session_generation += 1
    account.active = active
    session.add(account)
    return account


def list_accounts(session: Session) -> list[StaffAccount]:
    return list(session.exec(select(StaffAccount).order_by(col(StaffAccount.username))).all())


def _existing(session: Session, username: str) -> StaffAccount:
    account = find_account(session, username)
    if account is None:
        raise AccountError(f"Het account '{username}' bestaat niet.")
    return account


def end_sessions(session: Session, username: str) -> None:
    """Every session issued to this account so far is refused from now on (all devices)."""
    account = find_account(session, username)
    if account is not None:
        account.session_generation += 1
        session.add(account)


def set_email(session: Session, *, username: str, email: str | None) -> StaffAccount:
    """The account's e-mail address (optional): a coordinator's weekly report goes there."""
    account = _existing(session, username)
    address = (email or "").strip().lower() or None
    if address is not None and not re.fullmatch(r"[^@\s]+@[a-z0-9.-]+\.[a-z]{2,}", address):
        raise AccountError(f"Geen geldig e-mailadres: '{address[:100]}'.")
    account.email = address
    session.add(account)
    return account


def coordinator_addresses(session: Session) -> dict[str, list[str]]:
    """Per municipality, the e-mail addresses of its active coordinators that have one."""
    rows = session.exec(
        select(StaffAccount).where(
            StaffAccount.role == Role.coordinator,
            col(StaffAccount.active).is_(True),
            col(StaffAccount.email).is_not(None),
        )
    ).all()
    found: dict[str, list[str]] = {}
    for account in rows:
        if account.municipality and account.email:
            found.setdefault(account.municipality, []).append(account.email)
    return {key: sorted(addresses) for key, addresses in sorted(found.items())}
