"""Municipal plans: the plan tables (pure), their HTML, charts and the app."""
