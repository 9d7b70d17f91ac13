"""The compass: questions, rules and assessment (pure), its HTML and the app."""
