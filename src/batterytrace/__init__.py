"""batterytrace: trace battery metals from mine to EV and issue battery passports with
zero-knowledge proofs of origin, certification, recycled content, carbon and risk."""

__version__ = "0.1.0"
