"""Writing audits: every mutation calls ``write`` once per record it creates, changes or
destroys, with the mutation's own time.

Ids come from ``State.audit_ids`` with gaps drawn from ``State.audit_rng``, never from the
workspace RNG, so auditing changed no other answer and ``mutate_random`` stays reproducible.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .records import API_USER, Audit, Subject

if TYPE_CHECKING:
    from ..state import State


def write(
    st: State,
    action: str,
    subject: Subject,
    at: int,
    changes: Mapping[str, Any] | None = None,
    *,
    cascaded: bool = False,
    user: int = API_USER,
) -> Audit:
    """Keep one audit; a direct destroy also gets a recycle-bin row id."""
    audit = Audit(
        id=st.audit_ids.next(st.audit_rng),
        action=action,
        created=at,
        subject=subject,
        user=user,
        changes=tuple((k, _plain(v)) for k, v in (changes or {}).items()),
        cascaded=cascaded,
    )
    if action == "destroy" and not cascaded:
        audit.bin_id = st.bin_ids.next(st.audit_rng)
    st.audits.append(audit)
    return audit


def _plain(value: Any) -> Any:
    """A change's value as a JSON scalar (lists and objects as their JSON text)."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
