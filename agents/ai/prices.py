"""The price table: dollars per million tokens for each model, including prompt-cache
writes and reads, shipped as `prices.yaml` beside this module."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml
from pydantic import Field, ValidationError

from charter.protocols import ConfigError, StrictModel

_PER = 1_000_000


class ModelPrice(StrictModel):
    input: float = Field(ge=0)
    output: float = Field(ge=0)
    cache_write: float = Field(ge=0)
    cache_read: float = Field(ge=0)


class TokenCounts(StrictModel):
    input_tokens: int = 0  # uncached input
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0

    @property
    def total(self) -> int:
        return (
            self.input_tokens
            + self.output_tokens
            + self.cache_read_tokens
            + self.cache_write_tokens
        )


class PriceTable(StrictModel):
    models: dict[str, ModelPrice]
    aliases: dict[str, str] = Field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | str | None = None) -> PriceTable:
        """The table at `path`, or the shipped one."""
        where = str(path) if path is not None else "charter.agents.ai/prices.yaml"
        try:
            if path is None:
                text = (
                    resources.files("charter.agents.ai")
                    .joinpath("prices.yaml")
                    .read_text(encoding="utf-8")
                )
            else:
                text = Path(path).read_text(encoding="utf-8")
            return cls.model_validate(yaml.safe_load(text))
        except (OSError, yaml.YAMLError) as error:
            raise ConfigError(f"price table {where}: {error}") from None
        except ValidationError as error:
            first = error.errors()[0]
            loc = ".".join(str(part) for part in first["loc"])
            raise ConfigError(f"price table {where}: {loc}: {first['msg']}") from None

    def resolve(self, model: str) -> str:
        """The model id behind an alias (or the name itself when it is an id)."""
        return self.aliases.get(model, model)

    def price(self, model: str) -> ModelPrice:
        """The price of `model`; an unknown model is a ConfigError, because a call that
        cannot be priced cannot be held to a dollar budget (fail closed)."""
        resolved = self.resolve(model)
        if resolved not in self.models:
            known = ", ".join(sorted([*self.models, *self.aliases]))
            raise ConfigError(
                f"model {model!r}: no price in the price table; expected one of {known}"
            )
        return self.models[resolved]

    def cost(self, model: str, counts: TokenCounts) -> float:
        p = self.price(model)
        return (
            counts.input_tokens * p.input
            + counts.output_tokens * p.output
            + counts.cache_read_tokens * p.cache_read
            + counts.cache_write_tokens * p.cache_write
        ) / _PER


__all__ = ["ModelPrice", "PriceTable", "TokenCounts"]
