"""config.example.toml documents every key and equals the built-in defaults."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from bot import config as configuration

EXAMPLE = Path(__file__).resolve().parent.parent / "config.example.toml"


def keys_of(model: type[BaseModel], prefix: str = "") -> set[str]:
    keys: set[str] = set()
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            keys |= keys_of(annotation, f"{prefix}{name}.")
        else:
            keys.add(f"{prefix}{name}")
    return keys


def flatten(table: dict[str, Any], prefix: str = "") -> set[str]:
    keys: set[str] = set()
    for name, value in table.items():
        if isinstance(value, dict):
            keys |= flatten(value, f"{prefix}{name}.")
        else:
            keys.add(f"{prefix}{name}")
    return keys


def test_the_example_is_the_built_in_default() -> None:
    example = configuration.load(str(EXAMPLE), environ={})
    assert example == configuration.Config()


def test_the_example_names_every_key_of_every_section() -> None:
    with EXAMPLE.open("rb") as handle:
        present = flatten(tomllib.load(handle))
    expected = keys_of(configuration.Config) - {"officers"}
    assert present == expected


def test_every_key_in_the_example_has_a_comment_above_it() -> None:
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    uncommented = [
        line
        for number, line in enumerate(lines)
        if re.match(r"^[a-z_]+ = ", line) and not lines[number - 1].startswith("#")
    ]
    assert uncommented == []


def test_the_commented_officer_example_is_valid() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    block = text[text.index("# [[officers]]") :]
    officer = tomllib.loads("\n".join(line.removeprefix("# ") for line in block.splitlines()))
    parsed = configuration.parse(officer, {})
    assert parsed.officers[0].role == "admin"


def test_every_secret_variable_is_documented() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    for variable in configuration.ENV_OVERRIDES:
        assert variable in text
