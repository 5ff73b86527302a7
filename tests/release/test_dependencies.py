"""Range edits that keep each manifest's style and bytes, lockfile reading, and publish order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from onboard.errors import OnboardError
from onboard.release.dependencies import (
    locked_versions,
    moved_range,
    range_changes,
    rewritten_manifest,
    stale_lockfiles,
)
from onboard.release.publishing import publish_order
from onboard.release.workspaces import workspace_packages

VERSIONS = {"@sphinx-labs/contracts": "0.24.0", "@sphinx-labs/core": "0.27.0"}


@pytest.mark.parametrize(
    ("current", "expected"),
    [("^0.23.0", "^0.24.0"), ("~0.23.1", "~0.24.0"), ("0.23.0", "0.24.0"), ("^0.23.0-beta.1", "^0.24.0")],
)
def test_moved_range_keeps_style(current, expected):
    assert moved_range(current, "0.24.0", where="x") == expected


@pytest.mark.parametrize("current", [">=0.23.0", "*", "workspace:*", "0.23", "npm:@other/contracts@1.0.0"])
def test_moved_range_rejects_complex_ranges(current):
    with pytest.raises(OnboardError) as rejected:
        moved_range(current, "0.24.0", where="services/x/package.json dependencies.@sphinx-labs/core")

    assert repr(current) in rejected.value.message
    assert "services/x/package.json" in rejected.value.message
    assert "^0.24.0" in rejected.value.fix


def write_manifest(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "package.json"
    path.write_text(text)
    return path


MANIFEST = """{
    "name":"executor",
    "dependencies" : {
        "@sphinx-labs/core":   "~0.26.0",
        "left-pad": "^1.0.0",
        "@sphinx-labs/contracts": "0.23.0"
    },
    "devDependencies": {"@sphinx-labs/contracts": "^0.23.0"}
}
"""


def test_rewrite_changes_only_the_ranges(tmp_path):
    manifest = write_manifest(tmp_path / "services" / "executor", MANIFEST)
    (tmp_path / "node_modules" / "x").mkdir(parents=True)
    write_manifest(tmp_path / "node_modules" / "x", '{"dependencies": {"@sphinx-labs/core": ">=0.1.0"}}')

    changes = range_changes(tmp_path, VERSIONS)
    rewritten = rewritten_manifest(manifest, changes)

    assert [(change.field, change.package, change.old, change.new) for change in changes] == [
        ("dependencies", "@sphinx-labs/core", "~0.26.0", "~0.27.0"),
        ("dependencies", "@sphinx-labs/contracts", "0.23.0", "0.24.0"),
        ("devDependencies", "@sphinx-labs/contracts", "^0.23.0", "^0.24.0"),
    ]
    assert rewritten == (
        MANIFEST.replace('"~0.26.0"', '"~0.27.0"')
        .replace('"0.23.0"', '"0.24.0"')
        .replace('"^0.23.0"', '"^0.24.0"')
    )


def test_range_changes_empty_when_already_moved(tmp_path):
    write_manifest(tmp_path, json.dumps({"dependencies": {"@sphinx-labs/core": "^0.27.0"}}))

    assert range_changes(tmp_path, VERSIONS) == []


LOCKFILE = """\
# yarn lockfile v1


"@sphinx-labs/contracts@^0.23.0", "@sphinx-labs/contracts@~0.23.0":
  version "0.23.0"
  resolved "http://127.0.0.1:4873/@sphinx-labs/contracts/-/contracts-0.23.0.tgz"

"@sphinx-labs/contracts@^0.24.0":
  version "0.24.0"

"@sphinx-labs/core@^0.27.0":
  version "0.27.0"
  dependencies:
    "@sphinx-labs/contracts" "^0.24.0"

left-pad@^1.0.0:
  version "1.3.0"
"""


def test_locked_versions_reads_every_block():
    found = locked_versions(LOCKFILE, {"@sphinx-labs/contracts", "@sphinx-labs/core", "missing"})

    assert found == {"@sphinx-labs/contracts": {"0.23.0", "0.24.0"}, "@sphinx-labs/core": {"0.27.0"}, "missing": set()}


def test_stale_lockfiles_lists_service_lockfiles(tmp_path):
    relayer = tmp_path / "services" / "relayer"
    write_manifest(tmp_path, "{}")
    write_manifest(relayer, "{}")
    (relayer / "yarn.lock").write_text(LOCKFILE)
    executor = tmp_path / "services" / "executor"
    write_manifest(executor, "{}")
    (executor / "package-lock.json").write_text(json.dumps({"packages": {
        "node_modules/@sphinx-labs/contracts": {"version": "0.24.0"},
        "node_modules/@sphinx-labs/core": {"version": "0.27.0"},
    }}))
    init = tmp_path / "services" / "init"
    write_manifest(init, "{}")
    (init / "package-lock.json").write_text(json.dumps({"packages": {
        "node_modules/@sphinx-labs/core": {"version": "0.26.0"},
    }}))

    assert stale_lockfiles(tmp_path, VERSIONS) == ["services/init/package-lock.json", "services/relayer/yarn.lock"]


def test_publish_order_puts_dependencies_first(tmp_path):
    (tmp_path / "package.json").write_text(json.dumps({"workspaces": {"packages": ["packages/*"]}}))
    manifests = {
        "plugins": {"name": "@s/plugins", "version": "1.0.0", "dependencies": {"@s/core": "^1.0.0"}},
        "core": {"name": "@s/core", "version": "1.0.0", "dependencies": {"@s/contracts": "^1.0.0"}},
        "contracts": {"name": "@s/contracts", "version": "1.0.0", "private": True},
    }
    for folder, manifest in manifests.items():
        write_manifest(tmp_path / "packages" / folder, json.dumps(manifest))

    packages = workspace_packages(tmp_path)

    assert publish_order(packages) == ["@s/contracts", "@s/core", "@s/plugins"]
    assert packages["@s/contracts"].private
