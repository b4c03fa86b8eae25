"""Service evaluation (T/CIPS 007—2024 clause 9): the indicators of ``catalog/indicators.yml``
computed over the stored records (:mod:`.indicators`)."""
