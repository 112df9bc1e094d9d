// Module OrchestratorCore: work in progress.
