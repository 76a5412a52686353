"""The main job: cobalt, lithium and nickel mines to EV passports on a local chain."""

from batterytrace.demo.run import DemoSummary, run_demo

__all__ = ["DemoSummary", "run_demo"]
