"""SIGKILL the full pipeline inside every stage, resume it, and count what it made: nothing may exist twice.

One sandbox serves every kill point, in pipeline order. A run is killed in stage A, the next run resumes A
and is killed in stage B, and so on, until a last run finishes. Each kill point waits for the moment where a
second attempt could duplicate work: files written but not committed, some transactions sent, one package
published, one image pushed, the database row locked mid-upsert.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from eth_account import Account

from onboard.monorepo.apply import commit_message
from onboard.release.versioning import VERSION_COMMIT_SUBJECT
from onboard.sandbox.anvil import DEV_PRIVATE_KEY
from onboard.sandbox.platform import SERVICES
from onboard.spec import find_spec_file, load_spec
from onboard.stages import stage_names
from tests.reliability import inventory
from tests.reliability.harness import NETWORK, REPO_ROOT, Sandbox, Throttled, alive, kill_when, resume, start_cli

pytestmark = [pytest.mark.slow, pytest.mark.node]

DEPLOYER = Account.from_key(DEV_PRIVATE_KEY).address
SPEC = load_spec(find_spec_file(NETWORK, REPO_ROOT / "network_specs"))


@dataclass(frozen=True)
class KillPoint:
    """A place to kill a run: the stage, and a condition on the sandbox that is true at the risky step."""

    stage: str
    moment: str
    ready: Callable[[Sandbox], Callable[[], bool]]
    # Held for the whole run, to make a fast step wait at a known place.
    hold: Callable[[Sandbox], contextlib.AbstractContextManager[None]] | None = None
    # Kill only the onboard process, as `kill -9 PID` does: the commands it started go on as orphans.
    orphans: bool = False


def _always(sandbox: Sandbox) -> Callable[[], bool]:
    return lambda: True


def _after(seconds: float) -> Callable[[Sandbox], Callable[[], bool]]:
    def build(sandbox: Sandbox) -> Callable[[], bool]:
        started: list[float] = []

        def ready() -> bool:
            started[:] = started or [time.monotonic()]
            return time.monotonic() - started[0] >= seconds

        return ready

    return build


def _dirty(repository: str) -> Callable[[Sandbox], Callable[[], bool]]:
    return lambda sandbox: Throttled(lambda: inventory.dirty(sandbox.folder / repository))


def _deployer_sent(transactions: int) -> Callable[[Sandbox], Callable[[], bool]]:
    def build(sandbox: Sandbox) -> Callable[[], bool]:
        url, start = sandbox.server_url("anvil"), inventory.nonce(sandbox.server_url("anvil"), DEPLOYER)
        return Throttled(lambda: inventory.nonce(url, DEPLOYER) >= start + transactions)

    return build


def _published(package: str) -> Callable[[Sandbox], Callable[[], bool]]:
    def build(sandbox: Sandbox) -> Callable[[], bool]:
        url = sandbox.server_url("verdaccio")
        seeded = set(inventory.registry_versions(url, package))
        return Throttled(lambda: bool(set(inventory.registry_versions(url, package)) - seeded))

    return build


def _image_pushed(sandbox: Sandbox) -> Callable[[], bool]:
    folder = sandbox.folder / "image-registry" / "storage" / "docker" / "registry" / "v2" / "repositories" / "sphinx"
    return Throttled(lambda: folder.exists() and any(folder.iterdir()))


@contextlib.contextmanager
def _networks_table_locked(sandbox: Sandbox) -> Iterator[None]:
    """Hold an EXCLUSIVE lock on `networks`: reads go on, but the stage's SELECT ... FOR UPDATE waits."""
    with psycopg.connect(sandbox.env["POSTGRES_PRISMA_URL"]) as connection:
        connection.execute("LOCK TABLE networks IN EXCLUSIVE MODE")
        yield
        connection.rollback()


KILL_POINTS = (
    KillPoint("spec", "as it starts", _always),
    KillPoint("compat", "while it probes the chain", _after(0.3)),
    KillPoint("networks", "after writing files, before the commit", _dirty("monorepo")),
    KillPoint("secrets", "as it starts", _always),
    KillPoint("deploy", "after three deployment transactions", _deployer_sent(3), orphans=True),
    KillPoint("release", "while changeset version rewrites the packages", _dirty("monorepo")),
    KillPoint("release", "after publishing the first package", _published("@sphinx-labs/contracts")),
    KillPoint("bump", "while yarn install refreshes the lockfile", _dirty("platform")),
    KillPoint("containers", "after the first image is pushed", _image_pushed),
    KillPoint("register", "while the upsert waits for its row lock", _always, _networks_table_locked),
)


def _kill_at(sandbox: Sandbox, point: KillPoint, output: Path) -> None:
    hold = point.hold(sandbox) if point.hold else contextlib.nullcontext()
    with hold:
        run = start_cli(sandbox, output)
        kill_when(run, sandbox, point.stage, point.ready(sandbox), whole_tree=not point.orphans)

    assert run.killed_status in ("running", "applied"), (
        f"the kill meant for stage {point.stage} ({point.moment}) came after it finished: "
        f"status {run.killed_status!r}"
    )
    # SIGKILL leaves the lock file with the dead PID in it; the flock itself went with the process.
    assert sandbox.lock_path.read_text().strip() == str(run.pid)
    if point.orphans:
        _wait_out_orphans(sandbox, run.pid, run.orphans, output.with_suffix(".locked.log"))


def _wait_out_orphans(sandbox: Sandbox, killed: int, orphans: set[int], output: Path) -> None:
    """Check that a run is turned away while the killed run's commands still exist, then let them finish.

    The orphans stay stopped until that run has tried the lock, so they cannot finish before it.
    """
    assert alive(orphans), "the killed run left no command running"
    try:
        blocked = start_cli(sandbox, output)
        assert blocked.wait() == 1, blocked.output()[-3000:]
        assert f"started by an onboard run that has ended (PID {killed}) still hold the lock" in blocked.output()
    finally:
        resume(orphans)

    deadline = time.monotonic() + 300
    while alive(orphans):
        assert time.monotonic() < deadline, f"the orphaned commands {sorted(alive(orphans))} did not finish"
        time.sleep(0.1)


@pytest.fixture
def onboarded_after_kills(make_sandbox, tmp_path: Path) -> tuple[Sandbox, dict[str, dict[str, str]]]:
    """Kill a run at every kill point in turn, then let a last run finish. Return the sandbox and the
    registry's versions from before the first run."""
    sandbox = make_sandbox()
    npm = sandbox.server_url("verdaccio")
    seeded = {package: inventory.registry_versions(npm, package) for package in inventory.PACKAGES}

    for number, point in enumerate(KILL_POINTS):
        _kill_at(sandbox, point, tmp_path / f"killed-{number}-{point.stage}.log")

    final = start_cli(sandbox, tmp_path / "final.log")
    assert final.wait() == 0, final.output()[-4000:]
    attempts = _attempts(sandbox)
    again = start_cli(sandbox, tmp_path / "again.log")
    assert again.wait() == 0, again.output()[-4000:]
    # A run after a finished one only verifies: no stage is applied again.
    assert _attempts(sandbox) == attempts
    return sandbox, seeded


def _attempts(sandbox: Sandbox) -> dict[str, int]:
    return {name: record.get("attempts", 0) for name, record in sandbox.journal()["stages"].items()}


def test_kill_points_cover_every_stage() -> None:
    assert {point.stage for point in KILL_POINTS} == set(stage_names())
    assert [point.stage for point in KILL_POINTS] == sorted(
        (point.stage for point in KILL_POINTS), key=stage_names().index
    )


def test_killed_runs_leave_no_duplicates(onboarded_after_kills) -> None:
    sandbox, seeded = onboarded_after_kills
    journal = sandbox.journal()["stages"]
    assert {name: record["status"] for name, record in journal.items()} == {name: "done" for name in stage_names()}

    monorepo = sandbox.folder / "monorepo"
    subjects = inventory.branch_subjects(monorepo, inventory.BRANCH, "develop")
    assert subjects == [commit_message(SPEC).splitlines()[0], VERSION_COMMIT_SUBJECT]
    assert len(inventory.commits_touching(monorepo, inventory.BRANCH, "develop", inventory.NETWORKS_TS)) == 1
    assert inventory.git(monorepo, "rev-parse", inventory.BRANCH) == inventory.git(
        monorepo, "rev-parse", f"origin/{inventory.BRANCH}"
    )

    versions = journal["release"]["outputs"]["versions"]
    expected_tags = sorted(f"{package}@{version}" for package, version in versions.items())
    assert sorted(inventory.release_tags(monorepo)) == expected_tags

    npm = sandbox.server_url("verdaccio")
    for package in inventory.PACKAGES:
        published = inventory.registry_versions(npm, package)
        assert sorted(set(published) - set(seeded[package])) == [versions[package]], package

    platform = sandbox.folder / "platform"
    assert len(inventory.branch_subjects(platform, inventory.BRANCH, "main")) == 1

    # The runs killed before a commit left files that the next run stashed: networks and release in the
    # monorepo, bump in the platform.
    stashes = inventory.git(monorepo, "stash", "list").splitlines()
    assert len(stashes) == 2, stashes
    assert "files left by an interrupted changeset version" in stashes[0]
    assert "files left by an interrupted networks stage" in stashes[1]
    assert len(inventory.git(platform, "stash", "list").splitlines()) == 1

    anvil = sandbox.server_url("anvil")
    sent = inventory.transactions_from(anvil, DEPLOYER)
    assert all(tx["status"] == "0x1" for tx in sent), [tx["hash"] for tx in sent if tx["status"] != "0x1"]
    payloads = inventory.counts([tx["input"] for tx in sent])
    assert [count for count in payloads.values() if count > 1] == []
    # One contract can come from another's constructor, so the transactions are compared, not the contracts.
    recorded_txs = {record.get("tx_hash") for record in journal["deploy"]["outputs"]["contracts"].values()}
    proxy = journal["deploy"]["outputs"]["proxy"].lower()
    assert {tx["hash"] for tx in sent if (tx["to"] or "").lower() == proxy} == recorded_txs - {None}

    images = inventory.image_tags(sandbox.server_url("image-registry").removeprefix("http://"))
    recorded = journal["containers"]["outputs"]["images"]
    assert sorted(images) == sorted(f"sphinx/{service}" for service in SERVICES)
    for service in SERVICES:
        tags = images[f"sphinx/{service}"]
        assert set(tags.values()) == {recorded[service]["digest"]}, service
        assert sorted(tags) == sorted(recorded[service]["tags"]), service

    assert len(inventory.network_rows(sandbox.env["POSTGRES_PRISMA_URL"], SPEC.chain_id)) == 1
