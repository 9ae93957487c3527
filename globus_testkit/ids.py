"""Deterministic ids, secrets and fake data.

Everything random in a world is drawn from one seeded generator, so the same
seed always builds the same world: the same identity ids, usernames, client
secrets and task ids, in the same order.
"""

from __future__ import annotations

import random
import uuid
from functools import lru_cache
from typing import Any

_NAMESPACE = uuid.UUID("5f1c3d2e-9b7a-4c61-8e0f-7a2b4c6d8e90")

# RFC 4122's version (4) and variant bits, as uuid.UUID(version=4) sets them.
_CLEAR_VERSION_AND_VARIANT = ~((0xF000 << 64) | (0xC000 << 48))
_VERSION_4_AND_VARIANT = (4 << 76) | (0x8000 << 48)


class Ids:
    """Seeded source of uuids, opaque strings and Faker data."""

    def __init__(self, seed: int | str = 0) -> None:
        self.seed = seed
        self._rng = random.Random(str(seed))

    def uuid(self) -> str:
        """A new random-looking but reproducible UUID4-shaped id (what
        ``str(uuid.UUID(int=..., version=4))`` gives, formatted directly:
        ids are drawn on every submission)."""
        bits = self._rng.getrandbits(128) & _CLEAR_VERSION_AND_VARIANT | _VERSION_4_AND_VARIANT
        text = f"{bits:032x}"
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"

    @staticmethod
    def stable_uuid(*parts: object) -> str:
        """A uuid5 named by ``parts``: the same parts always give the same id,
        whatever the seed (used for well-known things such as built-in
        resource servers)."""
        return str(uuid.uuid5(_NAMESPACE, "/".join(str(p) for p in parts)))

    def token(self, prefix: str = "", length: int = 48) -> str:
        """An opaque secret string (tokens, client secrets, codes)."""
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        return prefix + "".join(self._rng.choice(alphabet) for _ in range(length))

    def fake(self) -> Any:
        """A Faker instance seeded from this generator.

        Faker is expensive to build and to copy, so one instance per process
        is reseeded from our generator on each use; worlds stay cheap to copy
        and draws stay reproducible.
        """
        faker = _faker()
        faker.seed_instance(self._rng.getrandbits(32))
        return faker


@lru_cache(maxsize=1)
def _faker() -> Any:
    from faker import Faker  # imported lazily: Faker is slow to import

    return Faker()
