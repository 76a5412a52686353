"""The domain model: enums, records, risk flags, facility rules and the arithmetic of transformations."""
