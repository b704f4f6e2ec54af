"""The database tables (SQLModel). Schema changes go through Alembic migrations only.

Money is `Decimal` with an ISO 4217 currency code, stored as NUMERIC on PostgreSQL and as
text on SQLite (whose NUMERIC is a float). Timestamps are timezone-aware UTC everywhere.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite stores it naive, in UTC)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; pricemon stores timezone-aware UTC only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Money(sa.types.TypeDecorator[Decimal]):
    """An exact decimal amount: NUMERIC(18, 4) on PostgreSQL, text on SQLite."""

    impl = sa.Numeric(18, 4)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.String(32))
        return dialect.type_descriptor(sa.Numeric(18, 4, asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(f"money must be Decimal, got {type(value).__name__}")
        return str(value) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return value if isinstance(value, Decimal) else Decimal(str(value))


def utcnow() -> datetime:
    return datetime.now(UTC)


class Availability(StrEnum):
    IN_STOCK = "in_stock"
    OUT_OF_STOCK = "out_of_stock"
    UNKNOWN = "unknown"


class ProductStatus(StrEnum):
    PENDING = "pending"  # never checked yet
    OK = "ok"
    FAILING = "failing"  # the last check failed (see last_error, failing_since)
    BLOCKED = "blocked"  # the shop refused us (bot wall, CAPTCHA, 403/429)
    OUT_OF_STOCK = "out_of_stock"


class CheckOutcome(StrEnum):
    OK = "ok"  # a price was found and recorded
    OUT_OF_STOCK = "out_of_stock"  # the page loaded and says out of stock, no price
    NO_PRICE = "no_price"  # the page loaded but no price was found
    BLOCKED = "blocked"
    ERROR = "error"  # fetch failed: DNS, timeout, HTTP error, refused URL...


class DigestFrequency(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"


class Product(SQLModel, table=True):
    __tablename__ = "product"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(sa_column=sa.Column(sa.String(2048), nullable=False, unique=True))
    name: str | None = Field(default=None, max_length=500)  # the user's label
    title: str | None = Field(default=None, max_length=1000)  # what the page calls it
    image_url: str | None = Field(default=None, max_length=2048)
    currency: str | None = Field(default=None, max_length=3)
    active: bool = Field(default=True, index=True)
    status: str = Field(default=ProductStatus.PENDING, max_length=20)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    # The latest check and price, kept here so the product list needs no aggregate.
    last_checked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_success_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_failure_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    failing_since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, max_length=2000)
    last_price: Decimal | None = Field(default=None, sa_type=Money)
    previous_price: Decimal | None = Field(default=None, sa_type=Money)
    last_availability: str = Field(default=Availability.UNKNOWN, max_length=20)
    # Alert rule: a target price, or a drop in percent from the price when the rule was set.
    alert_target_price: Decimal | None = Field(default=None, sa_type=Money)
    alert_drop_percent: Decimal | None = Field(default=None, sa_type=Money)
    alert_reference_price: Decimal | None = Field(default=None, sa_type=Money)
    alert_armed: bool = Field(default=True)

    @property
    def display_name(self) -> str:
        return self.name or self.title or self.url


class CheckRun(SQLModel, table=True):
    """One attempt at checking a product's price, success or failure."""

    __tablename__ = "check_run"
    __table_args__ = (
        sa.Index("ix_check_run_product_started", "product_id", "started_at"),
        sa.Index("ix_check_run_started", "started_at"),
        # A retried job never records the same attempt twice.
        sa.UniqueConstraint("job_id", "attempt", name="uq_check_run_job_attempt"),
    )

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("product.id", ondelete="CASCADE"), nullable=False
        )
    )
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    duration_ms: int | None = None
    outcome: str = Field(max_length=20)
    method: str | None = Field(default=None, max_length=100)
    error: str | None = Field(default=None, max_length=2000)
    job_id: str | None = Field(default=None, max_length=200)
    attempt: int | None = None


class PriceRecord(SQLModel, table=True):
    """A price seen on a product page at one moment."""

    __tablename__ = "price_record"
    __table_args__ = (
        # "History of one product" and "latest price of every product" both walk this index.
        sa.Index("ix_price_record_product_checked", "product_id", "checked_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("product.id", ondelete="CASCADE"), nullable=False
        )
    )
    check_run_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("check_run.id", ondelete="SET NULL"),
            nullable=True,
            unique=True,
        ),
    )
    amount: Decimal = Field(sa_type=Money, nullable=False)
    currency: str = Field(max_length=3)
    availability: str = Field(default=Availability.UNKNOWN, max_length=20)
    method: str = Field(max_length=100)
    checked_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class AppSettings(SQLModel, table=True):
    """Settings edited in the dashboard: one row (id 1)."""

    __tablename__ = "app_settings"

    id: int | None = Field(default=1, primary_key=True)
    digest_enabled: bool = Field(default=False)
    digest_frequency: str = Field(default=DigestFrequency.DAILY, max_length=10)
    # Day of the week for weekly digests: 0 = Monday ... 6 = Sunday (Python's weekday()).
    digest_day: int = Field(default=0, ge=0, le=6)
    digest_hour: int = Field(default=9, ge=0, le=23)
    digest_minute: int = Field(default=0, ge=0, le=59)
    digest_timezone: str = Field(default="UTC", max_length=64)
    # Comma-separated addresses; empty means ALERT_EMAIL.
    digest_recipients: str = Field(default="", max_length=2000)
    digest_refresh: bool = Field(default=True)  # check all prices before sending
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)

    @property
    def recipients(self) -> list[str]:
        return [r.strip() for r in self.digest_recipients.split(",") if r.strip()]


class EmailSend(SQLModel, table=True):
    """Every digest or alert email we tried to send, with its outcome."""

    __tablename__ = "email_send"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)  # "digest" or "alert"
    # The idempotency key: one digest slot ("digest-2026-11-28T09:00+11:00") or one alert.
    key: str = Field(sa_column=sa.Column(sa.String(200), nullable=False, unique=True))
    product_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("product.id", ondelete="SET NULL"), nullable=True
        ),
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    recipients: str = Field(default="", max_length=2000)
    subject: str = Field(default="", max_length=500)
    outcome: str = Field(default="pending", max_length=20)  # pending, sent, failed
    provider_id: str | None = Field(default=None, max_length=200)
    error: str | None = Field(default=None, max_length=2000)
