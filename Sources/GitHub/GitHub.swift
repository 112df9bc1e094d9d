// Module GitHub: work in progress.
