import Foundation
import OrchestratorCore

// The Orchestrator: launches and tears down one-job runners on EC2 and EKS. See OrchestratorService.
exit(await OrchestratorService.main(environment: ProcessInfo.processInfo.environment))
