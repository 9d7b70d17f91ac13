"""Slides: the deck (pure), its HTML and the app."""
