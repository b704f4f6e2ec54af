"""The LLM tier through the openai SDK, against respx routes shaped like the real APIs."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx
import pytest
import respx
from pydantic import SecretStr

from pricemon.ai import RESPONSE_FORMAT, SYSTEM_PROMPT, ask_ai, clean_page
from pricemon.config import AIProvider, Settings
from pricemon.errors import AIError
from pricemon.models import Availability
from tests.fetch.conftest import OPENAI_MOCKER

FILLER = "<p>" + "Solid oak, oiled finish, seats six, made in our workshop in Porto. " * 12 + "</p>"
PROSE_PAGE = f"""<html><head><title>Oak table | Shop</title>
<script>var trackingPixel = 'do-not-send-me';</script><style>.hero {{ color: red }}</style>
<script type="application/ld+json">{{"@type": "Product", "name": "Oak table"}}</script></head>
<body><nav>Home | Tables | Sale</nav><main><h1>Oak table</h1>{FILLER}
<svg><text>svg-noise</text></svg><p>Was <del>399 euros</del>, now yours for 349 euros.</p>
</main><footer>Newsletter signup, 10% off</footer></body></html>"""


def completion(content: dict[str, Any] | str, model: str = "gpt-4o-mini") -> dict[str, Any]:
    """A chat.completions response body as the OpenAI API returns it."""
    text = content if isinstance(content, str) else json.dumps(content)
    return {
        "id": "chatcmpl-123",
        "object": "chat.completion",
        "created": 1764300000,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text, "refusal": None},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 900, "completion_tokens": 40, "total_tokens": 940},
    }


ANSWER = {
    "price": "349",
    "currency": "EUR",
    "availability": "in_stock",
    "title": "Oak table",
    "confidence": 0.9,
}


def ai_settings(tmp_path: Any, provider: AIProvider, **extra: Any) -> Settings:
    keys = {
        "openai_api_key": SecretStr("sk-test-openai"),
        "anthropic_api_key": SecretStr("sk-ant-test"),
        "google_api_key": SecretStr("google-test-key"),
    }
    return Settings(data_dir=tmp_path, ai_provider=provider, **keys, **extra)


@pytest.mark.parametrize(
    ("provider", "url", "auth", "model"),
    [
        (
            AIProvider.OPENAI,
            "https://api.openai.com/v1/chat/completions",
            "Bearer sk-test-openai",
            "gpt-4o-mini",
        ),
        (
            AIProvider.ANTHROPIC,
            "https://api.anthropic.com/v1/chat/completions",
            "Bearer sk-ant-test",
            "claude-haiku-4-5",
        ),
        (
            AIProvider.GOOGLE,
            "https://generativelanguage.googleapis.com/v1beta/openai/chat/completions",
            "Bearer google-test-key",
            "gemini-2.5-flash",
        ),
        (
            AIProvider.OLLAMA,
            "http://localhost:11434/v1/chat/completions",
            "Bearer ollama",
            "llama3.1",
        ),
    ],
)
async def test_request_per_provider(
    tmp_path: Any, provider: AIProvider, url: str, auth: str, model: str
) -> None:
    settings = ai_settings(tmp_path, provider)
    with respx.mock(using=OPENAI_MOCKER, assert_all_called=True) as router:
        route = router.post(url).mock(return_value=httpx.Response(200, json=completion(ANSWER)))
        answer = await ask_ai(settings, PROSE_PAGE, "https://shop.example/oak-table")
    assert answer.price == Decimal("349")
    assert (answer.currency, answer.availability, answer.title) == (
        "EUR",
        Availability.IN_STOCK,
        "Oak table",
    )
    request = route.calls.last.request
    assert request.headers["authorization"] == auth
    body = json.loads(request.content)
    assert body["model"] == model
    assert body["response_format"] == RESPONSE_FORMAT
    assert body["response_format"]["json_schema"]["strict"] is True
    assert body["temperature"] == 0
    system, user = body["messages"]
    assert system == {"role": "system", "content": SYSTEM_PROMPT}
    assert user["role"] == "user"
    content = user["content"]
    assert "URL: https://shop.example/oak-table" in content
    assert 'JSON-LD: {"@type": "Product", "name": "Oak table"}' in content
    assert "now yours for 349 euros" in content
    assert "[struck through: 399 euros]" in content
    for dropped in ("trackingPixel", "color: red", "svg-noise", "Home | Tables", "Newsletter"):
        assert dropped not in content


def test_schema_is_strict_and_complete() -> None:
    schema = RESPONSE_FORMAT["json_schema"]["schema"]
    assert schema["additionalProperties"] is False
    assert (
        set(schema["required"])
        == set(schema["properties"])
        == {"price", "currency", "availability", "title", "confidence"}
    )
    assert schema["properties"]["price"]["type"] == ["string", "null"]


async def test_base_url_and_model_overrides(tmp_path: Any) -> None:
    settings = ai_settings(
        tmp_path, AIProvider.OPENAI, ai_base_url="http://127.0.0.1:9999/v1", ai_model="gpt-4.1"
    )
    with respx.mock(using=OPENAI_MOCKER, assert_all_called=True) as router:
        route = router.post("http://127.0.0.1:9999/v1/chat/completions").mock(
            return_value=httpx.Response(200, json=completion(ANSWER))
        )
        await ask_ai(settings, PROSE_PAGE, "https://shop.example/p")
    assert json.loads(route.calls.last.request.content)["model"] == "gpt-4.1"


async def test_a_price_not_on_the_page_is_rejected(tmp_path: Any) -> None:
    settings = ai_settings(tmp_path, AIProvider.OPENAI)
    invented = {**ANSWER, "price": "299.00"}
    with respx.mock(using=OPENAI_MOCKER) as router:
        router.post("https://api.openai.com/v1/chat/completions").mock(
            return_value=httpx.Response(200, json=completion(invented))
        )
        with pytest.raises(AIError) as caught:
            await ask_ai(settings, PROSE_PAGE, "https://shop.example/p")
    assert "answered 299.00, which is not on the page" in caught.value.message


@pytest.mark.parametrize("written", ["1.299,95", "1,299.95", "1 299,95", "1299.95", "1'299.95"])
async def test_the_page_formatting_does_not_matter(tmp_path: Any, written: str) -> None:
    settings = ai_settings(tmp_path, AIProvider.OPENAI)
    page = f"<html><body><main><h1>Sofa</h1><p>Only {written} EUR</p></main></body></html>"
    with respx.mock(using=OPENAI_MOCKER) as router:
        router.post("https://api.openai.com/v1/chat/completions").mock(
            return_value=httpx.Response(200, json=completion({**ANSWER, "price": "1299.95"}))
        )
        answer = await ask_ai(settings, page, "https://shop.example/p")
    assert answer.price == Decimal("1299.95")


async def test_answer_in_a_code_fence_and_null_price(tmp_path: Any) -> None:
    # Anthropic's compatibility layer ignores response_format: the JSON may come fenced.
    settings = ai_settings(tmp_path, AIProvider.ANTHROPIC)
    fenced = (
        "```json\n"
        + json.dumps({**ANSWER, "price": None, "availability": "out_of_stock"})
        + "\n```"
    )
    with respx.mock(using=OPENAI_MOCKER) as router:
        router.post("https://api.anthropic.com/v1/chat/completions").mock(
            return_value=httpx.Response(200, json=completion(fenced))
        )
        answer = await ask_ai(settings, PROSE_PAGE, "https://shop.example/p")
    assert answer.price is None
    assert answer.availability is Availability.OUT_OF_STOCK


async def test_server_errors_are_retried_then_reported(tmp_path: Any) -> None:
    settings = ai_settings(tmp_path, AIProvider.OPENAI)
    with respx.mock(using=OPENAI_MOCKER) as router:
        route = router.post("https://api.openai.com/v1/chat/completions").mock(
            side_effect=[
                httpx.Response(500, json={"error": {"message": "boom"}}),
                httpx.Response(200, json=completion(ANSWER)),
            ]
        )
        answer = await ask_ai(settings, PROSE_PAGE, "https://shop.example/p")
    assert answer.price == Decimal("349")
    assert route.call_count == 2


async def test_bad_key_is_a_clear_error(tmp_path: Any) -> None:
    settings = ai_settings(tmp_path, AIProvider.OPENAI)
    with respx.mock(using=OPENAI_MOCKER) as router:
        router.post("https://api.openai.com/v1/chat/completions").mock(
            return_value=httpx.Response(401, json={"error": {"message": "Incorrect API key"}})
        )
        with pytest.raises(AIError) as caught:
            await ask_ai(settings, PROSE_PAGE, "https://shop.example/p")
    assert caught.value.message == "the AI provider at https://api.openai.com/v1 answered 401"
    assert caught.value.hint == "check OPENAI_API_KEY"


async def test_missing_key(tmp_path: Any) -> None:
    settings = Settings(data_dir=tmp_path, ai_provider=AIProvider.GOOGLE)
    with pytest.raises(AIError) as caught:
        await ask_ai(settings, PROSE_PAGE, "https://shop.example/p")
    assert caught.value.message == "AI_PROVIDER=google needs GOOGLE_API_KEY"


def test_clean_page_is_capped() -> None:
    huge = "<html><body><main>" + "<p>word </p>" * 20_000 + "</main></body></html>"
    assert len(clean_page(huge, "https://shop.example/p")) <= 30_000
