from onboard.redact import MASK, Redactor


def test_registered_secret_masked_in_both_forms() -> None:
    redactor = Redactor()
    redactor.register("s3cret/value+1")
    assert redactor.text("token s3cret/value+1 end") == f"token {MASK} end"
    assert redactor.text("q=s3cret%2Fvalue%2B1") == f"q={MASK}"


def test_short_values_are_not_registered() -> None:
    redactor = Redactor()
    redactor.register("true")
    assert redactor.text("true") == "true"


def test_private_key_masked_with_and_without_prefix() -> None:
    redactor = Redactor()
    key = "0x" + "ab" * 32
    redactor.register(key)
    assert key not in redactor.text(f"key {key}")
    assert key[2:] not in redactor.text(f"key {key[2:]}")


def test_api_keys_in_rpc_urls_masked_without_registration() -> None:
    redactor = Redactor()
    cases = {
        "https://eth-mainnet.g.alchemy.com/v2/abcdefgh12345678": "https://eth-mainnet.g.alchemy.com/v2/***",
        "https://mainnet.infura.io/v3/0123456789abcdef": "https://mainnet.infura.io/v3/***",
        "https://rpc.example.com/?apikey=XYZ123&x=1": "https://rpc.example.com/?apikey=***&x=1",
        "https://user:pass@rpc.example.com/": "https://***@rpc.example.com/",
    }
    for raw, expected in cases.items():
        assert redactor.text(raw) == expected


def test_assigned_private_key_masked() -> None:
    assert Redactor().text("PRIVATE_KEY=0xdeadbeefcafe") == "PRIVATE_KEY=***"


def test_transaction_hashes_are_kept() -> None:
    tx_hash = "0x" + "12" * 32
    assert Redactor().text(f"tx {tx_hash}") == f"tx {tx_hash}"


def test_data_redacts_nested_structures() -> None:
    redactor = Redactor()
    redactor.register("canary-secret")
    data = {"a": ["x canary-secret", {"canary-secret": 1}], "n": 3}
    assert redactor.data(data) == {"a": [f"x {MASK}", {MASK: 1}], "n": 3}


def test_prose_about_secrets_is_kept() -> None:
    message = "stage secrets: 2 secret values missing; token: see the guide"
    assert Redactor().text(message) == message


def test_assigned_credentials_in_json_masked() -> None:
    assert Redactor().text('{"NPM_TOKEN": "abc123"}') == '{"NPM_TOKEN": "***"}'
    assert Redactor().text("INFISICAL_CLIENT_SECRET=xyz") == "INFISICAL_CLIENT_SECRET=***"
