// Module Kubernetes: work in progress.
