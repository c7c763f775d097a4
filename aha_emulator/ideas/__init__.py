"""Ideas: the stored record, its generation, the ``/ideas`` queries, edits and the JSON shape."""
