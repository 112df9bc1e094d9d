import Foundation
import PublisherCore

// The Publisher: claims pending jobs FIFO within flow control, asks each pool's Orchestrator to
// launch a runner, and reconciles. See PublisherService.
exit(await PublisherService.main(environment: ProcessInfo.processInfo.environment))
