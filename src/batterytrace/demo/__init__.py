"""The main job: DRC mines to EV passports on a local chain."""

from batterytrace.demo.run import DemoSummary, run_demo

__all__ = ["DemoSummary", "run_demo"]
