"""The delivery files agree with the code: every setting is documented for operators, and
every file the image is built from triggers the image workflow and reaches the build context.

The image itself is built and exercised by .ci/image-checks (podman); these are the checks that
need no container engine.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

import yaml
from pydantic import AliasChoices

from pricemon.config import Settings

ROOT = Path(__file__).resolve().parents[2]
# Copied into the build stage only for the wheel's metadata (pyproject's `readme`): a README
# change needs no new image, and the workflow's filters leave Markdown out on purpose.
NOT_A_TRIGGER = {"README.md"}


def env_names() -> list[str]:
    names = []
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        names.append(str(alias.choices[0]) if isinstance(alias, AliasChoices) else name.upper())
    return names


def copied_sources() -> list[str]:
    """The build-context paths that the Dockerfile's COPY instructions read."""
    sources = []
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        parts = line.split()
        if not parts or parts[0].upper() != "COPY" or any(p.startswith("--from") for p in parts):
            continue
        args = [p for p in parts[1:] if not p.startswith("--")]
        sources += args[:-1]
    return sources


def test_every_setting_is_in_production_env_doc() -> None:
    doc = (ROOT / "docs" / "production-env.md").read_text()
    missing = [name for name in env_names() if f"`{name}`" not in doc]
    assert not missing, f"add these variables to docs/production-env.md: {missing}"


def test_every_build_input_triggers_the_image_workflow() -> None:
    workflow = yaml.safe_load((ROOT / ".github/workflows/build-and-push.yml").read_text())
    on = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True
    filters = on["push"]["paths"]
    sources = copied_sources()
    assert {"pyproject.toml", "uv.lock", "pricemon", "docker/healthcheck"} <= set(sources)
    for source in set(sources) - NOT_A_TRIGGER:
        probe = f"{source}/__init__.py" if (ROOT / source).is_dir() else source
        assert any(fnmatch.fnmatch(probe, f) for f in filters), f"{source} triggers no build"
    for extra in ("Dockerfile", ".dockerignore", ".github/workflows/build-and-push.yml"):
        assert extra in filters
    assert not [f for f in filters if f.endswith(".md")], "Markdown must not trigger a build"


def test_dockerignore_keeps_build_inputs_and_drops_the_rest() -> None:
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]

    def ignored(path: str) -> bool:
        return any(fnmatch.fnmatch(path, p) or path.startswith(f"{p}/") for p in patterns)

    for source in copied_sources():
        assert not ignored(source), f"{source} is COPYed but .dockerignore drops it"
    for path in (".git", ".venv", "tests", ".pricemon", ".env", "node_modules", "test-artifacts"):
        assert ignored(path), f"{path} would be sent into the image build"


def test_the_image_runs_as_a_non_root_user_under_tini() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    bases = re.findall(r"^FROM\s+(\S+)", dockerfile, flags=re.M)
    assert bases and set(bases) == {"debian:bookworm-slim"}
    user = re.findall(r"^USER\s+(\S+)", dockerfile, flags=re.M)
    assert user and user[-1].split(":")[0] not in {"0", "root"}
    assert 'ENTRYPOINT ["tini", "--"]' in dockerfile
    assert re.search(r'^CMD \["pricemon", "serve"', dockerfile, flags=re.M)
