"""Audits (``/audits``): one immutable entry per create, update and destroy of a record, and
the recycle bin (``/deletions``) derived from the recent destroys."""
