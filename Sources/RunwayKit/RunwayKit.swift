// Module RunwayKit: work in progress.
