"""Configuration from environment variables, read in one place; defaults need no set-up."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

APP_NAME = "lemtrada-pv"


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _positive_int(name: str, default: int) -> int:
    text = _env(name, str(default))
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{name} must be a whole number of minutes, not {text!r}.") from None
    if value < 1:
        raise ValueError(f"{name} must be at least 1, not {value}.")
    return value


def _default_database_url() -> str:
    data_dir = Path(platformdirs.user_data_dir(APP_NAME))
    return f"sqlite:///{data_dir / 'submissions.db'}"


@dataclass(frozen=True)
class Settings:
    """Deployment settings; sender and receiver IDs go into the E2B batch header (N.1/N.2)."""

    database_url: str = field(default_factory=lambda: _env("DATABASE_URL", _default_database_url()))
    sfda_recipient: str = field(
        default_factory=lambda: _env("PV_SFDA_EMAIL", "npc.drug@sfd.gov.sa")
    )
    mah_recipient: str = field(
        default_factory=lambda: _env("PV_MAH_EMAIL", "Ksa_pharmacovigilance@sanofi.com")
    )
    # C.1.1 is "<country>-<sender>-<number>"; N.1.3/N.2.r.2 carry the sender identifier.
    sender_country: str = field(default_factory=lambda: _env("PV_SENDER_COUNTRY", "SA"))
    sender_id: str = field(default_factory=lambda: _env("PV_SENDER_ID", "LEMTRADAPV"))
    # C.3.2: the organisation sending the ICSRs. Unset, the reporter's own institution is sent
    # (the health professional is then the sender) and each report carries a warning.
    sender_organisation: str = field(default_factory=lambda: _env("PV_SENDER_ORGANISATION", ""))
    # SFDA has published no E2B(R3) receiver identifiers; configurable until it does.
    receiver_id: str = field(default_factory=lambda: _env("PV_RECEIVER_ID", "SFDA-NPC"))
    # N.1.4/N.2.r.3 of the file prepared for the marketing-authorisation holder.
    mah_receiver_id: str = field(
        default_factory=lambda: _env("PV_MAH_RECEIVER_ID", "SANOFI-KSA-PV")
    )
    meddra_version: str = field(default_factory=lambda: _env("PV_MEDDRA_VERSION", "27.1"))
    # Path to a licensed MedDRA release in MSSO ASCII format (folder holding llt.asc and pt.asc).
    meddra_path: str = field(default_factory=lambda: _env("MEDDRA_PATH", ""))
    # The app's public address (https://pv.example.org/), for the private draft link in the
    # sidebar and the receipt; unset, the address the browser used is taken.
    public_url: str = field(default_factory=lambda: _env("PV_PUBLIC_URL", ""))
    # Sending the report e-mail (pv.sending). No host: nothing is sent; the .eml and mailto stay.
    smtp_host: str = field(default_factory=lambda: _env("PV_SMTP_HOST", ""))
    smtp_port: int = field(default_factory=lambda: _port("PV_SMTP_PORT", 587))
    # STARTTLS is on unless turned off; a server without it then gets nothing.
    smtp_starttls: bool = field(default_factory=lambda: _flag("PV_SMTP_STARTTLS", True))
    smtp_user: str = field(default_factory=lambda: _env("PV_SMTP_USER", ""))
    smtp_password: str = field(default_factory=lambda: _env("PV_SMTP_PASSWORD", ""), repr=False)
    smtp_from: str = field(default_factory=lambda: _env("PV_SMTP_FROM", ""))
    smtp_timeout: float = field(default_factory=lambda: _seconds("PV_SMTP_TIMEOUT", 30.0))
    # A private CA for the SMTP server's certificate (else the system's CAs).
    smtp_ca_file: str = field(default_factory=lambda: _env("PV_SMTP_CA_FILE", ""))
    # An officer session with no activity for this long ends (GVP/Part 11: unattended screens).
    idle_minutes: int = field(default_factory=lambda: _positive_int("PV_IDLE_MINUTES", 15))
    # Behind a reverse proxy that sets X-Forwarded-For, the client is the first address it names;
    # elsewhere that header is anyone's to forge, so it is ignored unless this is set.
    trust_forwarded_for: bool = field(
        default_factory=lambda: _env("PV_TRUST_FORWARDED_FOR", "0").lower() in {"1", "true", "yes"}
    )


def _seconds(name: str, default: float) -> float:
    text = _env(name, str(default))
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{name} must be a number of seconds, not {text!r}.") from None
    if not 0 < value <= 600:
        raise ValueError(f"{name} must be between 0 and 600 seconds, not {value:g}.")
    return value


def _port(name: str, default: int) -> int:
    text = _env(name, str(default))
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ValueError(f"{name} must be a TCP port number (1-65535), not {text!r}.")
    return int(text)


def _flag(name: str, default: bool) -> bool:
    return _env(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


def load_settings() -> Settings:
    """Settings as the environment says now."""
    return Settings()
