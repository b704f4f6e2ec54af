"""Doctor checks of the third parties pricemon talks to: the AI provider, Resend, Coolify.

Each makes at most a few cheap, read-only calls (list models, list domains, health and
version), and none with `offline`. Keys show masked (`re_…a1b2`) at most.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pricemon.doctor import Check, fail, from_error, mask, ok, skip, warn
from pricemon.errors import PricemonError

if TYPE_CHECKING:
    from pricemon.config import Settings
    from pricemon.coolify.client import CoolifyClient

TIMEOUT_S = 10.0


def check_ai(settings: Settings, *, offline: bool) -> Check:
    """The AI provider is configured and accepts its key (GET /models through the openai SDK)."""
    provider = settings.ai_provider.value
    if provider == "none":
        return skip("ai", "off (AI_PROVIDER=none): prices come from the page only")
    from pricemon.ai import PROVIDERS  # the LLM tier's own endpoints and key variables

    endpoint = PROVIDERS[settings.ai_provider]
    key_field, key_env = endpoint.key_field, endpoint.key_env
    base_url = settings.ai_base_url or endpoint.base_url
    api_key = "ollama"  # Ollama ignores the key; the SDK insists on one
    shown = f"{provider} at {base_url}"
    if key_field:
        secret = getattr(settings, key_field)
        if secret is None or not secret.get_secret_value():
            hint = f"set {key_env}, or AI_PROVIDER=none to turn the AI tier off"
            return fail("ai", f"AI_PROVIDER={provider} but {key_env} is not set", hint)
        api_key = secret.get_secret_value()
        shown += f", {key_env}={mask(api_key)}"
    if offline:
        return skip("ai", f"{shown}; key not tried (--offline)")
    import openai

    client = openai.OpenAI(base_url=base_url, api_key=api_key, timeout=TIMEOUT_S, max_retries=0)
    try:
        models = [m.id for m in client.models.list()]
    except openai.AuthenticationError:
        hint = f"check {key_env}: it is wrong or revoked"
        return fail("ai", f"{shown}: {base_url} rejected the key (401)", hint)
    except openai.APIStatusError as error:
        hint = "check AI_BASE_URL and the key's permissions"
        return fail("ai", f"{shown}: {base_url} answered {error.status_code}", hint)
    except openai.APIConnectionError as error:
        reason = type(error.__cause__ or error).__name__
        hint = "check AI_BASE_URL and the network"
        return fail("ai", f"{shown}: cannot reach {base_url} ({reason})", hint)
    finally:
        client.close()
    model = settings.ai_model
    if model and models and not any(m == model or m.endswith(f"/{model}") for m in models):
        hint = "check AI_MODEL against the provider's model list"
        return warn("ai", f"{shown}: key accepted, but the provider lists no {model!r}", hint)
    return ok("ai", f"{shown}: key accepted")


def check_email(settings: Settings, *, offline: bool) -> Check:
    """Resend accepts RESEND_API_KEY (GET /domains) and EMAIL_FROM is set."""
    import httpx

    if settings.resend_api_key is None or not settings.resend_api_key.get_secret_value():
        hint = "create a key at https://resend.com/api-keys and set RESEND_API_KEY"
        return warn("email", "RESEND_API_KEY is not set: no digest or alert can be sent", hint)
    key = settings.resend_api_key.get_secret_value()
    shown = f"RESEND_API_KEY={mask(key)}"
    if not settings.email_from:
        hint = "set EMAIL_FROM to an address on a domain verified in Resend"
        return fail("email", f"{shown} but EMAIL_FROM is not set", hint)
    if offline:
        return skip("email", f"{shown}, from {settings.email_from}; key not tried (--offline)")
    url = settings.resend_base_url.rstrip("/") + "/domains"
    try:
        response = httpx.get(url, headers={"Authorization": f"Bearer {key}"}, timeout=TIMEOUT_S)
    except httpx.TransportError as error:
        hint = "check the network and RESEND_BASE_URL"
        where = settings.resend_base_url
        return fail("email", f"cannot reach {where} ({type(error).__name__})", hint)
    if response.status_code == 200:
        domains = response.json().get("data") or []
        names = ", ".join(f"{d.get('name')} ({d.get('status')})" for d in domains) or "none"
        return ok("email", f"{shown}: key accepted; domains: {names}")
    message = _message(response)
    if response.status_code == 401 and "restricted" in message.lower():
        # A sending-only key cannot list domains; Resend says so, which proves the key works.
        return ok("email", f"{shown}: sending-only key accepted")
    if response.status_code in (401, 403):
        hint = "check RESEND_API_KEY: it is wrong or revoked"
        return fail("email", f"Resend rejected {shown} ({response.status_code} {message})", hint)
    hint = "try again later; see https://resend-status.com"
    return fail("email", f"Resend answered {response.status_code} {message}", hint)


def _message(response: object) -> str:
    try:
        data = response.json()  # type: ignore[attr-defined]
    except ValueError:
        return ""
    return str(data.get("message") or "") if isinstance(data, dict) else ""


def coolify_contexts(settings: Settings, asked: list[str] | None) -> list[str]:
    """The contexts to check: those asked for, else every one with a URL configured."""
    if asked:
        return asked
    return [name for name in ("local", "prod") if settings.coolify(name).url]


def check_coolify(settings: Settings, name: str, *, offline: bool) -> list[Check]:
    """Coolify is up (/health), the token works (/version), the apps exist and run."""
    from pricemon.coolify.client import CoolifyClient, RetryPolicy

    label = f"coolify {name}"
    context = settings.coolify(name)
    if offline:
        return [skip(label, "not contacted (--offline)")]
    try:
        client = CoolifyClient.from_context(
            context,
            api_path=settings.coolify_api_path,
            timeout_s=TIMEOUT_S,
            retry=RetryPolicy(retry_for_s=5.0, max_retry_after_s=0.0),
        )
    except PricemonError as error:
        return [from_error(label, error)]
    checks = []
    with client:
        try:
            client.health()
            version = client.version()
        except PricemonError as error:
            return [from_error(label, error)]
        token = context.api_token.get_secret_value() if context.api_token else ""
        checks.append(ok(label, f"{client.host}: Coolify {version}, token {mask(token)} accepted"))
        for role, uuid in (("web", context.web_uuid), ("worker", context.worker_uuid)):
            checks.append(_check_application(client, context.prefix, name, role, uuid))
    return checks


def _check_application(
    client: CoolifyClient, prefix: str, context: str, role: str, uuid: str | None
) -> Check:
    """The application `uuid` exists and reports `running:*`."""
    from pricemon.coolify.deploy import application_status, is_running

    label = f"coolify {context} {role}"
    if not uuid:
        variable = f"{prefix}{role.upper()}_UUID"
        hint = f"set {variable} in .env (`pricemon coolify provision {context}` prints it)"
        return fail(label, f"{variable} is not set", hint)
    try:
        status = application_status(client, uuid)
    except PricemonError as error:
        return from_error(label, error)
    if is_running(status):
        return ok(label, f"application {uuid}: {status}")
    hint = f"see its logs in Coolify, then `pricemon redeploy {context} --only {role}`"
    return fail(label, f"application {uuid}: {status or 'no status'}", hint)
