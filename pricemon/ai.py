"""The LLM tier: ask a model for the product's price when the cheaper tiers are not sure.

Every provider is reached through the `openai` SDK and an OpenAI-compatible endpoint:

    AI_PROVIDER  key (env)          default model      base URL (AI_BASE_URL overrides)
    openai       OPENAI_API_KEY     gpt-4o-mini        https://api.openai.com/v1
    anthropic    ANTHROPIC_API_KEY  claude-haiku-4-5   https://api.anthropic.com/v1/
    google       GOOGLE_API_KEY     gemini-2.5-flash   https://generativelanguage.googleapis.com/v1beta/openai/
    ollama       (none)             llama3.1           http://localhost:11434/v1
    none         the tier is off

The request asks for a strict JSON-schema answer (price as a string, currency, availability,
title, confidence). Anthropic's compatibility layer ignores `response_format`, so the system
prompt describes the same object and the answer is parsed leniently (a JSON object, possibly
in a code fence). Whatever the model says is checked: a price whose amount does not occur on
the page in any common formatting is rejected (AIError), since a model can invent one.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from pricemon.config import AIProvider, Settings
from pricemon.domain.money import NUMBER_RE, parse_amount, parse_price
from pricemon.errors import AIError
from pricemon.models import Availability

log = logging.getLogger(__name__)

MAX_PAGE_CHARS = 30_000
MAX_JSONLD_CHARS = 8_000
TIMEOUT_S = 45.0
MAX_RETRIES = 2  # the SDK retries connection errors, 408, 429 and 5xx with backoff


@dataclass(frozen=True)
class Provider:
    base_url: str
    model: str
    key_field: str | None  # the Settings field holding the API key
    key_env: str | None


PROVIDERS: dict[AIProvider, Provider] = {
    AIProvider.OPENAI: Provider(
        "https://api.openai.com/v1", "gpt-4o-mini", "openai_api_key", "OPENAI_API_KEY"
    ),
    AIProvider.ANTHROPIC: Provider(
        "https://api.anthropic.com/v1/",
        "claude-haiku-4-5",
        "anthropic_api_key",
        "ANTHROPIC_API_KEY",
    ),
    AIProvider.GOOGLE: Provider(
        "https://generativelanguage.googleapis.com/v1beta/openai/",
        "gemini-2.5-flash",
        "google_api_key",
        "GOOGLE_API_KEY",
    ),
    AIProvider.OLLAMA: Provider("http://localhost:11434/v1", "llama3.1", None, None),
}

OFFER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "price": {
            "type": ["string", "null"],
            "description": "The main product's current price exactly as written on the page "
            "(e.g. '1.299,95'), or null when the page shows none.",
        },
        "currency": {
            "type": ["string", "null"],
            "description": "ISO 4217 code of the price's currency, e.g. EUR.",
        },
        "availability": {"type": "string", "enum": [a.value for a in Availability]},
        "title": {"type": ["string", "null"], "description": "The product's name."},
        "confidence": {
            "type": "number",
            "description": "0 to 1: how sure you are that this is the product's price.",
        },
    },
    "required": ["price", "currency", "availability", "title", "confidence"],
    "additionalProperties": False,
}

RESPONSE_FORMAT: dict[str, Any] = {
    "type": "json_schema",
    "json_schema": {"name": "product_offer", "strict": True, "schema": OFFER_SCHEMA},
}

SYSTEM_PROMPT = (
    "You read one product page of an online shop and report the main product's current "
    "selling price. Ignore prices of other products (recommendations, accessories, bundles), "
    "struck-through former prices, savings, instalments, unit prices, shipping costs and "
    "free-shipping thresholds. Copy the price exactly as the page writes it. If the page shows "
    "no price for the product, answer null. Answer with one JSON object with the keys price "
    "(string or null), currency (ISO 4217 code or null), availability (in_stock, "
    "out_of_stock or unknown), title (string or null) and confidence (0 to 1), nothing else."
)


@dataclass(frozen=True)
class AIAnswer:
    """What the model said, after checking it against the page."""

    price: Decimal | None
    currency: str | None
    availability: Availability
    title: str | None
    confidence: float
    model: str


def ai_enabled(settings: Settings) -> bool:
    return settings.ai_provider is not AIProvider.NONE


def resolve_provider(settings: Settings) -> tuple[str, str, str]:
    """(base_url, model, api_key) for the configured provider; ConfigError-like AIError when
    its key is missing."""
    provider = PROVIDERS.get(settings.ai_provider)
    if provider is None:
        raise AIError("the AI tier is off (AI_PROVIDER=none)", hint="set AI_PROVIDER")
    api_key = "ollama"  # Ollama ignores the key, the SDK insists on one
    if provider.key_field:
        secret = getattr(settings, provider.key_field)
        if secret is None or not secret.get_secret_value():
            raise AIError(
                f"AI_PROVIDER={settings.ai_provider.value} needs {provider.key_env}",
                hint=f"set {provider.key_env}, or AI_PROVIDER=none to turn the AI tier off",
            )
        api_key = secret.get_secret_value()
    base_url = settings.ai_base_url or provider.base_url
    return base_url, settings.ai_model or provider.model, api_key


def clean_page(html: str, url: str) -> str:
    """The page as compact text for the model: title, price meta tags, JSON-LD, then the
    main content's text, struck-through prices marked; navigation, footers, scripts, styles
    and SVG dropped; at most MAX_PAGE_CHARS."""
    tree = LexborHTMLParser(html)
    parts = [f"URL: {url}"]
    title = tree.css_first("title")
    if title is not None and title.text(strip=True):
        parts.append(f"Title: {title.text(strip=True)}")
    for meta in tree.css("meta[property], meta[itemprop], meta[name]"):
        key = meta.attributes.get("property") or meta.attributes.get("itemprop") or ""
        key = key or meta.attributes.get("name") or ""
        if any(word in key.lower() for word in ("price", "currency", "availability", "title")):
            parts.append(f"Meta {key}: {meta.attributes.get('content') or ''}")
    jsonld = " ".join(
        " ".join(node.text().split()) for node in tree.css('script[type="application/ld+json"]')
    )
    if jsonld:
        parts.append(f"JSON-LD: {jsonld[:MAX_JSONLD_CHARS]}")
    tree.strip_tags(
        ["script", "style", "svg", "noscript", "template", "iframe", "nav", "footer", "link"]
    )
    for struck in tree.css("del, s, strike"):
        struck.replace_with(f" [struck through: {struck.text(strip=True)}] ")
    root = tree.css_first("main, [role=main], #main, #content") or tree.body or tree.root
    text = root.text(separator="\n") if root is not None else ""
    lines = (" ".join(line.split()) for line in text.splitlines())
    parts.append("Page text:\n" + "\n".join(line for line in lines if line))
    return "\n".join(parts)[:MAX_PAGE_CHARS]


def amounts_on_page(*texts: str) -> set[Decimal]:
    """Every amount written in `texts`, read as `parse_price` reads numbers (so '1.299,95',
    '1,299.95', '1 299,95' and '1299.95' all give Decimal('1299.95'))."""
    normalised = (t.replace("\u00a0", " ").replace("\u202f", " ") for t in texts)
    found: set[Decimal] = set()
    for text in normalised:
        for match in NUMBER_RE.finditer(text):
            amount = parse_amount(match.group())
            if amount is not None:
                found.add(amount)
    return found


def build_request(settings: Settings, html: str, url: str) -> dict[str, Any]:
    """The chat.completions arguments (model, messages, response_format...) for one page."""
    _, model, _ = resolve_provider(settings)
    return {
        "model": model,
        "messages": [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": clean_page(html, url)},
        ],
        "response_format": RESPONSE_FORMAT,
        "temperature": 0,
    }


async def ask_ai(settings: Settings, html: str, url: str) -> AIAnswer:
    """Ask the configured model for the price on `html`, checked against the page.

    Raises AIError when the provider fails (after the SDK's retries), answers something that
    is not the schema, or names a price that is not on the page.
    """
    import openai

    base_url, model, api_key = resolve_provider(settings)
    client = openai.AsyncOpenAI(
        base_url=base_url, api_key=api_key, timeout=TIMEOUT_S, max_retries=MAX_RETRIES
    )
    request = build_request(settings, html, url)
    try:
        completion = await client.chat.completions.create(**request)
    except openai.APIStatusError as error:
        raise AIError(
            f"the AI provider at {base_url} answered {error.status_code}",
            hint=_status_hint(error.status_code, settings),
        ) from None
    except (openai.APITimeoutError, openai.APIConnectionError) as error:
        raise AIError(
            f"the AI provider at {base_url} could not be reached ({type(error).__name__})",
            hint="check AI_BASE_URL and the network; the static result is kept",
        ) from None
    finally:
        await client.close()
    message = completion.choices[0].message if completion.choices else None
    if message is None or not message.content:
        reason = getattr(message, "refusal", None) or "an empty answer"
        raise AIError(f"the AI model {model} gave {reason}", hint="try another AI_MODEL")
    page_text = request["messages"][1]["content"]  # what the model saw is what may be cited
    return check_answer(parse_answer(message.content, model), page_text, model)


def _status_hint(status: int, settings: Settings) -> str:
    provider = PROVIDERS.get(settings.ai_provider)
    if status in (401, 403) and provider and provider.key_env:
        return f"check {provider.key_env}"
    if status == 404:
        return "check AI_MODEL and AI_BASE_URL"
    return "the provider failed; later checks retry"


_JSON_OBJECT = re.compile(r"\{.*\}", re.S)


def parse_answer(content: str, model: str) -> dict[str, Any]:
    """The model's JSON object (tolerating a code fence around it)."""
    match = _JSON_OBJECT.search(content)
    try:
        data = json.loads(match.group() if match else content)
    except json.JSONDecodeError:
        raise AIError(
            f"the AI model {model} did not answer JSON", hint="try another AI_MODEL"
        ) from None
    if not isinstance(data, dict):
        raise AIError(f"the AI model {model} did not answer an object", hint="try another AI_MODEL")
    return data


def check_answer(data: dict[str, Any], page_text: str, model: str) -> AIAnswer:
    """Turn the model's object into an AIAnswer, rejecting a price that is not in
    `page_text` (the cleaned page the model was given)."""
    currency = data.get("currency") if isinstance(data.get("currency"), str) else None
    price_text = data.get("price")
    amount = None
    if isinstance(price_text, str | int | float) and str(price_text).strip():
        parsed = parse_price(str(price_text), currency_hint=currency)
        if parsed is None:
            raise AIError(f"the AI model {model} answered a price that is not a number")
        amount, currency = parsed.amount, parsed.currency or currency
        if amount not in amounts_on_page(page_text):
            raise AIError(
                f"the AI model {model} answered {price_text}, which is not on the page",
                hint="the answer was discarded; the static result is kept",
            )
    try:
        availability = Availability(str(data.get("availability", "unknown")))
    except ValueError:
        availability = Availability.UNKNOWN
    confidence = data.get("confidence")
    title = data.get("title")
    return AIAnswer(
        price=amount,
        currency=currency.upper() if currency else None,
        availability=availability,
        title=title if isinstance(title, str) and title.strip() else None,
        confidence=min(max(float(confidence), 0.0), 1.0)
        if isinstance(confidence, int | float)
        else 0.5,
        model=model,
    )
