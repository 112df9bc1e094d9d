// Module PublisherCore: work in progress.
