"""Deploying the regions' variants explicitly: base routine plus the region's overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.services.process_sets import deploy, overlay, read_process_folder, read_region_folder

ROOT = Path(__file__).resolve().parents[2]
REGIONS_DIR = ROOT / "processes" / "regions"
REGIONS = ["kristianstad", "jonkoping", "vastra_gotaland", "stockholm"]


def base_files(app) -> dict[str, str]:
    return read_process_folder(app.config["PROCESSES_DIR"], app.config["FORMS_DIR"])


def region_files(app, region: str) -> dict[str, str]:
    """The files a region deploys: the base with the region's folder laid over it."""
    return overlay(base_files(app), read_region_folder(REGIONS_DIR / region))


def deploy_region(app, region: str, extra: dict[str, str] | None = None):
    """Deploy the region's variant (plus `extra` files laid over it); returns the definition."""
    files = region_files(app, region)
    if extra:
        files = overlay(files, extra)
    definition, _ = deploy(files, region=region, deployed_by="tests")
    return definition


@pytest.fixture
def deploy_variant(app):
    def _deploy(region: str, extra: dict[str, str] | None = None):
        return deploy_region(app, region, extra)
    return _deploy


@pytest.fixture
def kristianstad(deploy_variant):
    return deploy_variant("kristianstad")


@pytest.fixture
def jonkoping(deploy_variant):
    return deploy_variant("jonkoping")


@pytest.fixture
def vastra_gotaland(deploy_variant):
    return deploy_variant("vastra_gotaland")


@pytest.fixture
def stockholm(deploy_variant):
    return deploy_variant("stockholm")
