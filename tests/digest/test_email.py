"""The Resend client against a local stand-in: the request we send, retries, refusals."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from pricemon.config import Settings
from pricemon.email import send_email
from pricemon.email_render import RenderedEmail
from pricemon.errors import EmailError
from tests.digest.resend_stub import ResendStub

EMAIL = RenderedEmail(subject="Price Monitor Report - 2026-11-29", html="<p>hi</p>", text="hi")


async def no_sleep(_: float) -> None:
    return None


async def test_one_recipient_goes_in_to_with_key_html_and_text(
    email_settings: Settings, resend: ResendStub
) -> None:
    sent = await send_email(
        email_settings, EMAIL, ["ann@example.com"], idempotency_key="digest-2026-11-28T220000Z"
    )
    assert len(resend.requests) == 1
    request = resend.requests[0]
    assert request.path == "/emails"
    assert request.headers["authorization"] == "Bearer re_test_key"
    assert request.headers["idempotency-key"] == "digest-2026-11-28T220000Z"
    assert request.body == {
        "from": "Pricemon <prices@example.com>",
        "to": ["ann@example.com"],
        "subject": "Price Monitor Report - 2026-11-29",
        "html": "<p>hi</p>",
        "text": "hi",
    }
    assert sent.provider_id and not sent.duplicate


async def test_several_recipients_go_in_bcc_to_the_sender(
    email_settings: Settings, resend: ResendStub
) -> None:
    await send_email(
        email_settings, EMAIL, ["a@example.com", "b@example.com", "a@example.com"],
        idempotency_key="k1",
    )  # fmt: skip
    body = resend.requests[0].body
    assert body["to"] == ["prices@example.com"]
    assert body["bcc"] == ["a@example.com", "b@example.com"]


async def test_retries_429_with_retry_after_and_5xx_then_sends_once(
    email_settings: Settings, resend: ResendStub
) -> None:
    resend.script = [
        (
            429,
            {"name": "rate_limit_exceeded", "message": "Too many requests"},
            {"Retry-After": "3"},
        ),
        (500, {"name": "application_error", "message": "oops"}, {}),
    ]
    waits: list[float] = []

    async def record(delay: float) -> None:
        waits.append(delay)

    sent = await send_email(
        email_settings, EMAIL, ["ann@example.com"], idempotency_key="k2", sleep=record,
        backoff_s=0.5,
    )  # fmt: skip
    assert waits == [3.0, 1.0]
    assert len(resend.requests) == 3 and len(resend.sent) == 1
    assert {r.headers["idempotency-key"] for r in resend.requests} == {"k2"}
    assert sent.provider_id


async def test_gives_up_after_bounded_attempts(
    email_settings: Settings, resend: ResendStub
) -> None:
    resend.script = [(503, {"message": "unavailable"}, {})] * 5
    with pytest.raises(EmailError, match="after 3 attempts: HTTP 503"):
        await send_email(
            email_settings, EMAIL, ["a@example.com"], idempotency_key="k3", max_attempts=3,
            sleep=no_sleep,
        )  # fmt: skip
    assert len(resend.requests) == 3


async def test_bad_key_fails_at_once_with_a_hint(
    email_settings: Settings, resend: ResendStub
) -> None:
    settings = email_settings.model_copy(update={"resend_api_key": SecretStr("re_wrong")})
    with pytest.raises(EmailError) as info:
        await send_email(settings, EMAIL, ["a@example.com"], idempotency_key="k4", sleep=no_sleep)
    assert info.value.message.startswith("Resend refused the email (HTTP 403, invalid_api_key)")
    assert info.value.hint and "RESEND_API_KEY" in info.value.hint
    assert "re_wrong" not in str(info.value) + info.value.hint
    assert len(resend.requests) == 1


async def test_same_key_twice_sends_once_and_rebuilt_body_counts_as_duplicate(
    email_settings: Settings, resend: ResendStub
) -> None:
    first = await send_email(email_settings, EMAIL, ["a@example.com"], idempotency_key="k5")
    again = await send_email(email_settings, EMAIL, ["a@example.com"], idempotency_key="k5")
    assert again.provider_id == first.provider_id
    changed = RenderedEmail(subject=EMAIL.subject, html="<p>changed</p>", text="changed")
    rebuilt = await send_email(email_settings, changed, ["a@example.com"], idempotency_key="k5")
    assert rebuilt.duplicate and rebuilt.provider_id is None
    assert len(resend.sent) == 1


@pytest.mark.parametrize(
    ("update", "message"),
    [
        ({"resend_api_key": None}, "RESEND_API_KEY is not set"),
        ({"email_from": None}, "EMAIL_FROM is not set"),
    ],
)
async def test_missing_configuration(
    email_settings: Settings, update: dict[str, object], message: str
) -> None:
    with pytest.raises(EmailError, match=message):
        await send_email(
            email_settings.model_copy(update=update), EMAIL, ["a@example.com"], idempotency_key="k"
        )


async def test_no_recipients(email_settings: Settings) -> None:
    with pytest.raises(EmailError, match="no recipients") as info:
        await send_email(email_settings, EMAIL, [" "], idempotency_key="k")
    assert info.value.hint and "ALERT_EMAIL" in info.value.hint
