"""Models arrive with the issue that builds this area; the app exists now so the layout is fixed."""
