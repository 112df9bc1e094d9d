// Module AWS: work in progress.
