"""Documents and pages: the Battery Pass document, access tiers, the passport page, the genealogy picture.

- :mod:`.passport_input`: the vocabularies and records a caller fills in (:class:`PassportInput`).
- :mod:`.batterypass`: ``build_passport_document``, one builder per Battery Pass aspect.
- :mod:`.validation`: the Battery Pass 1.2.0 schemas and ``validate_passport_document``.
- :mod:`.canonical`: ``canonical_json`` and ``document_hash``, the bytes and hash that go on chain.
- :mod:`.claims`: a claim proof's bounds as the document and page state them.
- :mod:`.recycled_content`: the proven recycled shares per metal and the Art. 8 minimums beside them.
- :mod:`.tiers`: the split into access tiers and their encryption.
- :mod:`.page`: the HTML page behind the QR code.
- :mod:`.genealogy`: the material-flow picture.
"""
