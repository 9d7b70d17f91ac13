"""Concepts: the lesson content (pure), its HTML and the app."""
