"""Classify: the exercise and practice sessions (pure), their HTML, charts and the app."""
