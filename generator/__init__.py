"""Catalog schema, validation and site generation for the IP public service platform."""
