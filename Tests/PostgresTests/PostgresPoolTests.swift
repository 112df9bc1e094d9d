import RunwayTestSupport
import Foundation
import Logging
import Postgres
import Testing

@Suite("PostgresPool against a real Postgres")
struct PostgresPoolTests {
    @Test("every bind type round-trips, NULLs included")
    func bindsRoundTrip() async throws {
        try await TestDatabase.withSchema { pool, _ in
            let date = Date(timeIntervalSince1970: 1_795_942_232.123456)
            let labels = ["self-hosted", "a,b", "quote\"d", "back\\slash", "NULL", ""]
            let row = try await pool.query("""
                SELECT $1::text AS t, $2::int AS i, $3::bigint AS b, $4::bool AS f, $5::timestamptz AS ts,
                       $6::jsonb AS j, $7::text[] AS a, $8::float8 AS d, $9::text AS n, $10::bigint AS nb
                """, [.text("héllo"), .int32(-7), .int64(Int64.max), .bool(true), .timestamptz(date),
                      .jsonb(#"{"a": [1, 2]}"#), .textArray(labels), .double(2.5), .text(nil), .int64(nil)]).single()
            #expect(try row.decode("t") == "héllo")
            #expect(try row.decode("i") == Int32(-7))
            #expect(try row.decode("b") == Int64.max)
            #expect(try row.decode("f") == true)
            #expect(try abs(row.decode("ts", as: Date.self).timeIntervalSince(date)) < 0.000_002)
            #expect(try row.decode("j") == #"{"a": [1, 2]}"#)
            #expect(try row.decode("a") == labels)
            #expect(try row.decode("d") == 2.5)
            #expect(try row.decode("n", as: String?.self) == nil)
            #expect(try row.decode("nb", as: Int64?.self) == nil)
            #expect(throws: PostgresError.self) { try row.decode("n", as: String.self) }
            #expect(throws: PostgresError.self) { try row.decode("t", as: Int.self) }
            #expect(throws: PostgresError.self) { try row.decode("missing", as: String.self) }
        }
    }

    @Test("server errors carry SQLSTATE and never echo bind values")
    func errorsAreCodedAndSafe() async throws {
        try await TestDatabase.withSchema { pool, _ in
            try await pool.query("CREATE TABLE t (id bigint PRIMARY KEY, name text CONSTRAINT name_short CHECK (length(name) < 5))")
            let syntax = await #expect(throws: PostgresError.self) { try await pool.query("SELEC 1") }
            #expect(syntax?.code == .server)
            #expect(syntax?.sqlState == "42601")
            #expect(syntax?.isRetryable == false)

            let badInput = await #expect(throws: PostgresError.self) { try await pool.query("SELECT $1::bigint", [.text("hunter2-secret")]) }
            #expect(badInput?.sqlState == "22P02")
            #expect(badInput.map { "\($0)".contains("hunter2") } == false)

            try await pool.query("INSERT INTO t VALUES ($1, $2)", [.int64(1), .text("ok")])
            let duplicate = await #expect(throws: PostgresError.self) {
                try await pool.query("INSERT INTO t VALUES ($1, $2)", [.int64(1), .text("ok")])
            }
            #expect(duplicate?.isUniqueViolation == true)
            #expect(duplicate?.constraint == "t_pkey")
            let check = await #expect(throws: PostgresError.self) {
                try await pool.query("INSERT INTO t VALUES ($1, $2)", [.int64(2), .text("much-too-long-secret")])
            }
            #expect(check?.sqlState == "23514")
            #expect(check?.constraint == "name_short")
            #expect(check.map { "\($0)".contains("secret") } == false)
        }
    }

    @Test("a transaction commits, or rolls back entirely when its body throws")
    func transactions() async throws {
        struct Boom: Error {}
        try await TestDatabase.withSchema { pool, _ in
            try await pool.query("CREATE TABLE t (id int PRIMARY KEY)")
            try await pool.transaction { connection in
                try connection.query("INSERT INTO t VALUES (1)")
                try connection.query("INSERT INTO t VALUES (2)")
            }
            await #expect(throws: Boom.self) {
                try await pool.transaction { connection in
                    try connection.query("INSERT INTO t VALUES (3)")
                    throw Boom()
                }
            }
            await #expect(throws: PostgresError.self) {
                try await pool.transaction { connection in
                    try connection.query("INSERT INTO t VALUES (4)")
                    try connection.query("INSERT INTO t VALUES (1)")
                }
            }
            let ids = try await pool.query("SELECT id FROM t ORDER BY id").rows.map { try $0.decode("id", as: Int.self) }
            #expect(ids == [1, 2])
        }
    }

    @Test("statement_timeout ends a slow statement with a retryable timeout")
    func statementTimeout() async throws {
        try await TestDatabase.withSchema(configure: { $0.statementTimeout = .milliseconds(100) }) { pool, _ in
            let error = await #expect(throws: PostgresError.self) { try await pool.query("SELECT pg_sleep(2)") }
            #expect(error?.code == .timeout)
            #expect(error?.sqlState == "57014")
            #expect(error?.isRetryable == true)
            let one: Int = try await pool.query("SELECT 1 AS one").single().decode("one")
            #expect(one == 1)
        }
    }

    @Test("blocking statements run on the pool's threads, not the cooperative pool")
    func doesNotBlockCooperativePool() async throws {
        try await TestDatabase.withSchema(poolSize: 4) { pool, _ in
            let start = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                // More concurrent sleepers than this 2-core machine has cooperative threads.
                for _ in 0..<4 { group.addTask { try await pool.query("SELECT pg_sleep(0.5)") } }
                group.addTask {
                    try await Task.sleep(for: .milliseconds(50))
                    #expect(ContinuousClock.now - start < .milliseconds(400))
                }
                try await group.waitForAll()
            }
            // 12 queries of 0.2 s over 4 connections take three rounds, never less.
            let batchStart = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<12 { group.addTask { try await pool.query("SELECT pg_sleep(0.2)") } }
                try await group.waitForAll()
            }
            #expect(ContinuousClock.now - batchStart >= .milliseconds(600))
        }
    }

    @Test("work waiting longer than acquireTimeout fails with poolExhausted")
    func acquireTimeout() async throws {
        try await TestDatabase.withSchema(poolSize: 1, configure: { $0.acquireTimeout = .milliseconds(100) }) { pool, _ in
            async let slow: PostgresRows = pool.query("SELECT pg_sleep(0.5)")
            try await Task.sleep(for: .milliseconds(50))
            let error = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
            #expect(error?.code == .poolExhausted)
            #expect(error?.isRetryable == true)
            _ = try await slow
        }
    }

    @Test("an unreachable server is a retryable connectionFailed")
    func connectionFailed() async throws {
        let pool = PostgresPool(configuration: .init(connectionString: "postgresql://postgres@127.0.0.1:1/none", poolSize: 1), logger: TestDatabase.logger)
        defer { pool.shutdown() }
        let error = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
        #expect(error?.code == .connectionFailed)
        #expect(error?.isRetryable == true)
    }

    @Test("a killed backend fails in-flight work as retryable, then the pool heals")
    func healsAfterTermination() async throws {
        try await TestDatabase.withSchema(poolSize: 1) { pool, configuration in
            let admin = PostgresPool(configuration: .init(connectionString: configuration.connectionString, poolSize: 1), logger: TestDatabase.logger)
            defer { admin.shutdown() }
            let pid: Int = try await pool.query("SELECT pg_backend_pid() AS p").single().decode("p")
            let inFlight = Task { try await pool.query("SELECT pg_sleep(5)") }
            try await Task.sleep(for: .milliseconds(200))
            try await admin.query("SELECT pg_terminate_backend($1::int)", [.int(pid)])
            let error = await #expect(throws: PostgresError.self) { _ = try await inFlight.value }
            #expect(error?.isRetryable == true)
            #expect(error?.code == .connectionLost)
            let newPID: Int = try await pool.query("SELECT pg_backend_pid() AS p").single().decode("p")
            #expect(newPID != pid)

            // An idle connection killed between uses is replaced before the next statement runs.
            try await admin.query("SELECT pg_terminate_backend($1::int)", [.int(newPID)])
            try await Task.sleep(for: .milliseconds(100))
            let one: Int = try await pool.query("SELECT 1 AS one").single().decode("one")
            #expect(one == 1)
        }
    }

    @Test("LISTEN delivers notifications and resubscribes after its connection is killed")
    func listen() async throws {
        try await TestDatabase.withSchema(poolSize: 1) { pool, configuration in
            let listener = try PostgresListener(configuration: configuration, channels: ["runway_test"], logger: TestDatabase.logger)
            defer { listener.stop() }
            var events = listener.events.makeAsyncIterator()
            #expect(await events.next() == .connected)
            try await pool.query("SELECT pg_notify('runway_test', 'one')")
            #expect(await events.next() == .notification(.init(channel: "runway_test", payload: "one")))
            try await pool.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%'")
            #expect(await events.next() == .connected)
            try await pool.query("SELECT pg_notify('runway_test', 'two')")
            #expect(await events.next() == .notification(.init(channel: "runway_test", payload: "two")))
        }
    }
}

@Suite("Prepared statements")
struct PreparedStatementTests {
    @Test("a statement whose result type changed, or that the server discarded, is prepared again")
    func reprepares() async throws {
        try await TestDatabase.withSchema(poolSize: 1) { pool, _ in
            try await pool.query("CREATE TABLE t (a int)")
            try await pool.query("INSERT INTO t VALUES (1)")
            #expect(try await pool.query("SELECT * FROM t").columns == ["a"])
            try await pool.query("ALTER TABLE t ADD COLUMN b int")
            #expect(try await pool.query("SELECT * FROM t").columns == ["a", "b"])
            try await pool.withConnection { connection in try connection.execute("DEALLOCATE ALL") }
            #expect(try await pool.query("SELECT * FROM t").rows.count == 1)
        }
    }
}

@Suite("Connection strings")
struct ConnectionStringTests {
    @Test("a key=value connection string works as well as a URI")
    func keyValue() async throws {
        let url = try #require(URLComponents(string: try TestDatabase.url))
        let host = try #require(url.host), port = try #require(url.port), user = try #require(url.user)
        let database = String(url.path.dropFirst())
        let pool = PostgresPool(
            configuration: .init(connectionString: "host=\(host) port=\(port) user=\(user) dbname=\(database) sslmode=disable", poolSize: 1),
            logger: TestDatabase.logger
        )
        defer { pool.shutdown() }
        let row = try await pool.query("SELECT current_database() AS db, current_setting('TimeZone') AS tz").single()
        #expect(try row.decode("db") == database)
        #expect(try row.decode("tz") == "UTC")
    }
}
