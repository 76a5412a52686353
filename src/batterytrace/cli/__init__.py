"""The ``batterytrace`` command line."""

from batterytrace.cli.app import main

__all__ = ["main"]
