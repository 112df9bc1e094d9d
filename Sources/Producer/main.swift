import Foundation
import ProducerCore

// The Producer: GitHub webhook in, durable job row out. See ProducerService.
exit(await ProducerService.main(environment: ProcessInfo.processInfo.environment))
