"""The public site: pages generated from the catalog, added to mkdocs by a plugin."""
