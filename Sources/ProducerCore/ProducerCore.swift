// Module ProducerCore: work in progress.
