"""Claim checking: split a text into claims, find the sentences for and against each, decide a
verdict (supported, refuted, not_enough_evidence, conflicting), and export ClaimReview JSON-LD.

split → evidence (retrieval, ranking) → decide (fidelity rules) or model (propose, verify) →
engine (verified ``ClaimCheck``) → explain, claimreview. The CLI, the UI and the eval consume
``ClaimCheck`` / ``CheckReport`` only.
"""
