"""What the service's commands share: exit statuses and the settings with ``--data-dir`` applied."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
"""Done; refused or failed (the message says why); a setting or argument that cannot be used."""


def settings_from(args: argparse.Namespace) -> Any:
    """The settings with ``--data-dir`` applied, or None after printing why they are unusable."""
    from forms_api.settings import SettingsError, load

    try:
        settings = load()
    except SettingsError as exc:
        print(str(exc), file=sys.stderr)
        return None
    if args.data_dir is not None:
        settings = dataclasses.replace(settings, data_dir=args.data_dir)
    return settings
