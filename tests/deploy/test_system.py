"""CREATE2 addresses, runtime code comparison and the task output parser, without a node."""

from __future__ import annotations

from onboard.deploy.system import SALT, code_matches, create2_address
from onboard.deploy.task import parse_output


def test_create2_address_eip1014_example() -> None:
    # Example 1 of EIP-1014: deployer 0x0, salt 0x0, initcode 0x00.
    address = create2_address("0x" + "00" * 20, SALT, b"\x00")

    assert address == "0x4D1A2e2bB4F88F0250f26Ffff098B0b30B26BF38"


def test_create2_address_eip1014_other_examples() -> None:
    # Examples 2 and 4 of EIP-1014.
    example_2 = create2_address("0xdeadbeef" + "00" * 16, SALT, b"\x00")
    example_4 = create2_address("0x" + "00" * 20, SALT, bytes.fromhex("deadbeef"))

    assert example_2 == "0xB928f69Bb1D91Cd65274e3c79d8986362984fDA3"
    assert example_4 == "0x70f2b2914A2a4b783FaEFb75f459A580616Fcb5e"


def test_code_matches_identical() -> None:
    assert code_matches(b"\x60\x80\x00", b"\x60\x80\x00")


def test_code_matches_immutable_placeholder() -> None:
    artifact = b"\x7f" + bytes(32) + b"\x60\x00"
    deployed = b"\x7f" + bytes(12) + b"\xab" * 20 + b"\x60\x00"

    assert code_matches(deployed, artifact)


def test_code_differs_outside_placeholder() -> None:
    artifact = b"\x7f" + bytes(31) + b"\x01"
    deployed = b"\x7f" + b"\xab" * 31 + b"\x01"

    assert not code_matches(deployed, artifact)


def test_code_differs_in_length() -> None:
    assert not code_matches(b"\x60\x80", b"\x60\x80\x00")


def test_code_unknown_artifact_needs_code() -> None:
    assert code_matches(b"\x00", b"")
    assert not code_matches(b"", b"")


def test_parse_output_unsupported_chain() -> None:
    output = (
        "✔ Deployed CreateCall, 0x7cbB62EaA69F79e6873cD1ecB2392971036cFAa4\n"
        "✔ Finished deploying Sphinx contracts\n"
        "An unexpected error occurred:\n"
        "Error: Unsupported network id 424242\n"
        "    at isEtherscanSupportedForNetwork (networks.ts:189:11)\n"
    )

    run = parse_output(output, returncode=1, timed_out=False)

    assert run.deployed == ("CreateCall",)
    assert run.finished
    assert run.unsupported_chain_id == 424242
    assert run.error == "Error: Unsupported network id 424242"
    assert "does not list chain id 424242" in run.summary()


def test_parse_output_timeout() -> None:
    run = parse_output("- Deploying PermissionlessRelay...\n", returncode=None, timed_out=True)

    assert run.summary() == "deploy-system timed out after reporting 0 contracts"
