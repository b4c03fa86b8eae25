"""Attacks a reviewer can rerun: headers, cookies, brute force, forged input (issue 15)."""
