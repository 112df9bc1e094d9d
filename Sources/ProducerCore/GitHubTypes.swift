import GitHub

/// GitHub's `workflow_job` payload (named apart from the store's event of the same name).
typealias GitHubJobEvent = WorkflowJobEvent
