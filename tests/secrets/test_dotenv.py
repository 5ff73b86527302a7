"""Dotenv editing: every other line stays byte for byte, values round-trip, the file ends up mode 0600."""

from __future__ import annotations

import os
import stat

import pytest

from onboard.errors import OnboardError
from onboard.secrets import dotenv
from onboard.secrets.base import Fingerprinter, SecretRef
from onboard.secrets.dotenv import DotenvBackend

ORIGINAL = (
    "# Platform settings\n"
    "\n"
    "DATABASE_URL=postgres://db:5432/sphinx   # local database\n"
    "export UNICHAIN_MAINNET_URL=https://old.example\n"
    "MULTILINE=\"first\n"
    "second\"\n"
    "QUOTED='keep # this'\n"
    "  # indented comment\n"
    "LAST=1"
)


@pytest.fixture
def fingerprint() -> Fingerprinter:
    return Fingerprinter(b"k" * 32)


def test_update_keeps_every_other_line_byte_for_byte():
    updated = dotenv.update(ORIGINAL, {"UNICHAIN_MAINNET_URL": "https://new.example/x"}, source=".env")

    assert updated == ORIGINAL.replace("https://old.example", "https://new.example/x")


def test_update_appends_new_keys_after_a_final_newline():
    updated = dotenv.update(ORIGINAL, {"B_KEY": "b", "A_KEY": "a"}, source=".env")

    assert updated == ORIGINAL + "\nA_KEY=a\nB_KEY=b\n"


def test_update_replaces_every_assignment_of_a_key():
    updated = dotenv.update("K=1\nOTHER=2\nK=3\n", {"K": "new"}, source=".env")

    assert updated == "K=new\nOTHER=2\nK=new\n"


def test_crlf_line_endings_are_kept():
    updated = dotenv.update("A=1\r\nK=old\r\n", {"K": "new"}, source=".env")

    assert updated == "A=1\r\nK=new\r\n"


def test_parse_reads_compose_syntax():
    values = dotenv.assigned_values(dotenv.parse(ORIGINAL, source=".env"))

    assert values["DATABASE_URL"] == "postgres://db:5432/sphinx"
    assert values["UNICHAIN_MAINNET_URL"] == "https://old.example"
    assert values["MULTILINE"] == "first\nsecond"
    assert values["QUOTED"] == "keep # this"
    assert values["LAST"] == "1"


@pytest.mark.parametrize(
    "value",
    [
        "https://rpc.example/v2/abc?key=1&x=y",
        "with space and # hash",
        "dollar $HOME stays literal",
        'double "quotes" and \\ backslash',
        "single ' quote",
        "",
    ],
)
def test_written_values_read_back_unchanged(value):
    text = dotenv.update("", {"KEY": value}, source=".env")

    assert dotenv.assigned_values(dotenv.parse(text, source=".env"))["KEY"] == value


def test_value_that_compose_would_change_is_rejected():
    with pytest.raises(OnboardError, match="cannot be written to a .env file without changing its meaning"):
        dotenv.update("", {"KEY": "it's $5"}, source=".env")


def test_unterminated_quote_names_the_line():
    with pytest.raises(OnboardError, match=r"\.env line 2: the quoted value has no closing \""):
        dotenv.parse("A=1\nB=\"open\nC=3\n", source=".env")


def test_backend_writes_mode_0600_atomically(tmp_path, fingerprint):
    path = tmp_path / ".env"
    path.write_text("KEEP=1\n")
    os.chmod(path, 0o644)
    backend = DotenvBackend(path, fingerprint=fingerprint)

    written = backend.upsert("/RPC", {"NET_URL": "https://a.example"})

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == "KEEP=1\nNET_URL=https://a.example\n"
    assert written[SecretRef("/RPC", "NET_URL")].fingerprint == fingerprint("https://a.example")
    assert [p.name for p in tmp_path.iterdir()] == [".env"]


def test_backend_writes_through_a_symlink(tmp_path, fingerprint):
    target = tmp_path / "real.env"
    target.write_text("")
    link = tmp_path / ".env"
    link.symlink_to(target)

    DotenvBackend(link, fingerprint=fingerprint).upsert("/RPC", {"K": "v"})

    assert link.is_symlink()
    assert target.read_text() == "K=v\n"


def test_backend_reads_missing_file_as_missing(tmp_path, fingerprint):
    backend = DotenvBackend(tmp_path / "absent.env", fingerprint=fingerprint)

    observed = backend.read([SecretRef("/RPC", "K")])

    assert observed[SecretRef("/RPC", "K")].exists is False
