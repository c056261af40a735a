"""The adapter around SpiffWorkflow: parse process sets, run workflows, store and restore their state.

Nothing outside this package imports SpiffWorkflow."""
