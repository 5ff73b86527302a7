"""The JSON Schema of a network spec, generated from the pydantic model, for `onboard spec schema` and editors."""

from __future__ import annotations

import json
from typing import Any

from onboard.spec.model import NetworkSpec

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _drop_null(node: Any) -> Any:
    """Rewrite `anyOf: [X, null]` of optional fields as X, because TOML has no null: a key is set or left out."""
    if isinstance(node, list):
        return [_drop_null(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _drop_null(value) for key, value in node.items()}
    choices = node.get("anyOf")
    if isinstance(choices, list) and {"type": "null"} in choices and len(choices) == 2:
        (other,) = [choice for choice in choices if choice != {"type": "null"}]
        node = {key: value for key, value in node.items() if key != "anyOf"}
        node.update(other)
        if node.get("default", ...) is None:
            del node["default"]
    return node


def spec_json_schema() -> dict[str, Any]:
    """Return the JSON Schema of a network spec, with a title and a description on every field."""
    schema = _drop_null(NetworkSpec.model_json_schema())
    schema.pop("title", None)
    return {"$schema": SCHEMA_DIALECT, "title": "onboard network spec", **schema}


def spec_json_schema_text() -> str:
    """Return the schema as committed in network_specs/schema.json: two-space indent, trailing newline."""
    return json.dumps(spec_json_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    # Regenerate the committed copy: python -m onboard.spec.schema > network_specs/schema.json
    print(spec_json_schema_text(), end="")
