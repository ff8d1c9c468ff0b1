"""The editorial workflow: sign-offs bound to the printed text (ledger), the release gate,
translations that cannot go stale, the edition diff and the review cadence."""
