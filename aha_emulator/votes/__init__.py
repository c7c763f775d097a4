"""Votes (endorsements): per idea (``/ideas/:id/endorsements``) and account-wide
(``/ideas/endorsements``); proxy votes are cast for a customer organization."""
