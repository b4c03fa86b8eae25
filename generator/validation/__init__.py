"""Checking a catalog: schema errors translated to Chinese, then the rules across files."""
