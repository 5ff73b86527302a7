"""The [containers] settings and the choice of builder."""

from __future__ import annotations

import os

import pytest
from pydantic import ValidationError

from onboard.errors import ConfigError
from onboard.images import ContainersSection, choose_builder

TOKEN = "ghp_doubletoken0123456789abcdef"


def test_github_builder_needs_its_section():
    settings = ContainersSection(registry="127.0.0.1:5000", builder="github")

    with pytest.raises(ConfigError) as caught:
        choose_builder(settings, env={"PATH": os.environ["PATH"]}, github_token=TOKEN)

    assert "[containers.github]" in caught.value.message


def test_auto_detection_finds_buildah_without_docker(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "buildah").symlink_to("/usr/bin/buildah")
    settings = ContainersSection(registry="127.0.0.1:5000")

    builder = choose_builder(settings, env={"PATH": str(bin_dir)})

    assert builder.name == "buildah"
    assert builder.isolation == "chroot"


@pytest.mark.parametrize(
    ("key", "value"),
    [("registry", "http://127.0.0.1:5000"), ("registry", "127.0.0.1:5000/sphinx"), ("namespace", "Sphinx")],
)
def test_invalid_registry_settings_rejected(key, value):
    with pytest.raises(ValidationError) as caught:
        ContainersSection(**{"registry": "127.0.0.1:5000", key: value})

    assert key in str(caught.value)
