"""The apps' widget toolkit: the app base class, accessible controls, the upload field, the chart view."""
