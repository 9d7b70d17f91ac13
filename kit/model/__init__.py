"""The model: levels, processes and concepts (pure), their HTML and the model explorer app."""
