"""The README list, the foundry.toml rpc endpoint and the changeset file."""

from __future__ import annotations

import tomllib

import pytest

from onboard.errors import OnboardError
from onboard.monorepo import foundry, readme
from onboard.monorepo.changeset import package_names, render_changeset
from onboard.sandbox.monorepo import _template

UPSTREAM_SHAPE = _template("README.md")
LABELLED = """# Project

## Supported Networks

Mainnets:
* Ethereum
* Base

Testnets:
* Sepolia

## License
"""


def test_readme_mainnet_appended_to_unlabelled_list():
    edit = readme.add_network(UPSTREAM_SHAPE, display_name="Unichain", network_type="Mainnet")

    assert edit.text is not None
    assert "- Moonbeam\n- Unichain\n\nTest networks:" in edit.text
    assert edit.text.replace("- Unichain\n", "", 1) == UPSTREAM_SHAPE


def test_readme_testnet_appended_to_test_list():
    edit = readme.add_network(UPSTREAM_SHAPE, display_name="Unichain Sepolia", network_type="Testnet")

    assert edit.text is not None
    assert "- Rootstock Testnet\n- Unichain Sepolia\n\n## License" in edit.text


@pytest.mark.parametrize(("network_type", "after"), [("Mainnet", "* Base\n"), ("Testnet", "* Sepolia\n")])
def test_readme_labelled_lists_and_bullet_kept(network_type, after):
    edit = readme.add_network(LABELLED, display_name="Ink", network_type=network_type)

    assert edit.text is not None
    assert f"{after}* Ink\n" in edit.text


def test_readme_note_line_is_not_a_label():
    text = "## Networks Supported\n\n> Note: each network here was tested.\n\n- Ethereum\n\nTest networks:\n\n- Sepolia\n"

    edit = readme.add_network(text, display_name="Ink", network_type="Mainnet")

    assert edit.text is not None
    assert "- Ethereum\n- Ink\n" in edit.text


def test_readme_crlf_kept():
    text = LABELLED.replace("\n", "\r\n")

    edit = readme.add_network(text, display_name="Ink", network_type="Mainnet")

    assert edit.text is not None
    assert "* Base\r\n* Ink\r\n" in edit.text
    assert edit.text.count("\n") == edit.text.count("\r\n")


def test_readme_already_listed_is_noop():
    edit = readme.add_network(LABELLED, display_name="Base", network_type="Mainnet")

    assert edit.text is None
    assert "already lists 'Base'" in edit.note


def test_readme_without_section_unchanged():
    edit = readme.add_network("# Title\n\nNo list here.\n", display_name="Ink", network_type="Mainnet")

    assert edit.text is None
    assert "no 'Networks Supported' section" in edit.note


def test_foundry_endpoint_added_in_table():
    text = _template("foundry.toml")

    edit = foundry.add_rpc_endpoint(text, name="unichain", rpc_url_id="UNICHAIN_MAINNET_URL", path="foundry.toml")

    assert edit.text is not None
    assert 'rootstock_testnet = "${ROOTSTOCK_TESTNET_URL}"\nunichain = "${UNICHAIN_MAINNET_URL}"\n\n[fmt]' in edit.text
    assert tomllib.loads(edit.text)["rpc_endpoints"]["unichain"] == "${UNICHAIN_MAINNET_URL}"


def test_foundry_table_created_when_missing():
    edit = foundry.add_rpc_endpoint("[profile.default]\nsrc = 'src'\n", name="ink", rpc_url_id="INK_URL", path="f")

    assert edit.text == "[profile.default]\nsrc = 'src'\n\n[rpc_endpoints]\nink = \"${INK_URL}\"\n"


def test_foundry_same_endpoint_is_noop():
    edit = foundry.add_rpc_endpoint(_template("foundry.toml"), name="polygon", rpc_url_id="POLYGON_MAINNET_URL",
                                    path="foundry.toml")  # fmt: skip

    assert edit.text is None


def test_foundry_other_value_rejected():
    with pytest.raises(OnboardError, match=r"\[rpc_endpoints\] polygon is already set to '\$\{POLYGON_MAINNET_URL\}'"):
        foundry.add_rpc_endpoint(_template("foundry.toml"), name="polygon", rpc_url_id="OTHER_URL", path="foundry.toml")


def test_changeset_bumps_three_packages(monorepo, unichain):
    text = render_changeset(unichain, packages=package_names(monorepo), bump="minor")

    assert text == (
        "---\n"
        '"@sphinx-labs/contracts": minor\n'
        '"@sphinx-labs/core": minor\n'
        '"@sphinx-labs/plugins": minor\n'
        "---\n\n"
        "Add Unichain (mainnet, chain id 130) to SPHINX_NETWORKS\n"
    )
