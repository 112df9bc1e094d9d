// Module Postgres: work in progress.
