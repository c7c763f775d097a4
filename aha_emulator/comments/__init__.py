"""Portal idea comments (``/ideas/:id/idea_comments``) and internal team comments
(``/ideas/:id/comments``)."""
