// Module Signing: work in progress.
