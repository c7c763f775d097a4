"""Keeps the API key out of everything the kit prints, logs or raises.

The key gives its user's full access to the account, and the kit's output is meant to be pasted
into a README or an issue: every string that leaves the kit goes through `Redactor.clean`.
"""

from __future__ import annotations

MASK = "****"


class Redactor:
    """Replaces the key (and the key with a `Bearer ` prefix) by `****` in any text."""

    def __init__(self, secret: str) -> None:
        bare = secret.strip().removeprefix("Bearer ").strip()
        # Short strings would mask ordinary words; a real key is far longer.
        self._secrets = sorted(
            {s for s in (secret, secret.strip(), bare) if len(s) >= 4}, key=len, reverse=True
        )

    def clean(self, text: object) -> str:
        out = str(text)
        for secret in self._secrets:
            out = out.replace(secret, MASK)
        return out
