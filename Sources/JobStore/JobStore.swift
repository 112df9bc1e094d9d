// Module JobStore: work in progress.
