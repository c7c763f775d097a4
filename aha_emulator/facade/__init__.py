"""The parts of ``Workspace``'s public API, one mixin per kind of call (ground truth, server
queries, creates and edits, deletes), all holding the workspace lock."""
