"""The import-linter contracts cover every domain: adding a domain or an adapter module without
extending the contracts fails here, so the layer rules cannot silently stop applying."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "mercato"
NOT_DOMAINS = {"kit", "templates", "static", "__pycache__"}
INTERNALS = ("models", "repository", "api", "pages")


def domains() -> list[str]:
    return sorted(
        p.name
        for p in PACKAGE.iterdir()
        if p.is_dir() and p.name not in NOT_DOMAINS and (p / "__init__.py").exists()
    )


def contracts() -> list[dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return config["tool"]["importlinter"]["contracts"]


def module_exists(dotted: str) -> bool:
    path = ROOT / "src" / dotted.replace(".", "/")
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def test_kit_may_not_import_any_domain():
    kit = next(c for c in contracts() if c["name"] == "kit is domain-free")
    assert {f"mercato.{d}" for d in domains()} <= set(kit["forbidden_modules"])


def test_every_domain_is_layered():
    layers = next(c for c in contracts() if c["type"] == "layers")
    assert sorted(layers["containers"]) == [f"mercato.{d}" for d in domains()]


def test_every_domain_is_kept_out_of_the_others_internals():
    by_source = {c["source_modules"][0]: c for c in contracts() if c["type"] == "forbidden"}
    for domain in domains():
        contract = by_source.get(f"mercato.{domain}")
        assert contract is not None, f"no forbidden contract for {domain}"
        expected = {
            f"mercato.{other}.{internal}"
            for other in domains()
            if other != domain
            for internal in INTERNALS
            if module_exists(f"mercato.{other}.{internal}")
        }
        assert set(contract["forbidden_modules"]) == expected, domain
