"""Services that run beside the chain as their own processes: the relayer (:mod:`.relayer`), which
submits shielded-ledger operations from its own account so that no participant's address is on them.

Like the demo, a service sits above the SDK and the edges and below the command line; the SDK starts
and talks to a service by its URL and module name (:mod:`batterytrace.sdk.relayer`), never by
importing it, so the demo can use one too.
"""
