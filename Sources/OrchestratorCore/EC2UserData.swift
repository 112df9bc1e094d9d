import RunwayKit

/// Boot scripts that start one JIT runner and power the instance off when it exits.
///
/// The JIT config is passed in the environment (`ACTIONS_RUNNER_INPUT_JITCONFIG`), never on a
/// command line, and the runner removes it from its environment at start (actions/runner
/// `CommandSettings`). It is still readable as user data through IMDS on the instance itself; see
/// docs/orchestrator.md for why that is acceptable for a single-use registration.
public enum EC2UserData {
    /// Why a script could not be rendered (a value that cannot be embedded safely).
    public struct RenderError: Error, Sendable, Equatable {
        /// Safe to log (never contains the JIT config).
        public var message: String
    }

    /// Renders the user data for `os`.
    public static func render(os: PoolOS, settings: EC2PoolSettings, jitConfig: JITConfig) throws(RenderError) -> String {
        guard isBase64(jitConfig.encoded) else { throw RenderError(message: "JIT config is not base64") }
        if let version = settings.runnerVersion, !isVersion(version) {
            throw RenderError(message: "runner_version '\(version)' is not a version number")
        }
        switch os {
        case .ubuntu: return ubuntu(settings: settings, jitConfig: jitConfig.encoded)
        case .windows: return windows(settings: settings, jitConfig: jitConfig.encoded)
        }
    }

    /// A cloud-init user-data shell script (run once as root at first boot): runs the runner as the
    /// unprivileged user `runner`, then powers off (the instance terminates:
    /// `InstanceInitiatedShutdownBehavior=terminate`) however the runner or the script ends.
    static func ubuntu(settings: EC2PoolSettings, jitConfig: String) -> String {
        let dir = shellQuote(settings.runnerPath)
        var lines = [
            "#!/bin/bash",
            "# Runway: one single-use GitHub Actions runner, then power off.",
            "set -euo pipefail",
            "trap 'shutdown -h now' EXIT",
            "RUNNER_DIR=\(dir)",
            "id -u runner >/dev/null 2>&1 || useradd --create-home --shell /bin/bash runner",
        ]
        if let version = settings.runnerVersion {
            lines += [
                "case \"$(uname -m)\" in aarch64) ARCH=arm64 ;; *) ARCH=x64 ;; esac",
                "mkdir -p \"$RUNNER_DIR\"",
                "curl -fsSL --retry 5 -o /tmp/actions-runner.tar.gz \"https://github.com/actions/runner/releases/download/v\(version)/actions-runner-linux-${ARCH}-\(version).tar.gz\"",
                "tar -xzf /tmp/actions-runner.tar.gz -C \"$RUNNER_DIR\"",
                "rm -f /tmp/actions-runner.tar.gz",
                "\"$RUNNER_DIR/bin/installdependencies.sh\"",
            ]
        }
        lines += [
            "chown -R runner:runner \"$RUNNER_DIR\"",
            "cd \"$RUNNER_DIR\"",
            "ACTIONS_RUNNER_INPUT_JITCONFIG='\(jitConfig)'",
            "export ACTIONS_RUNNER_INPUT_JITCONFIG",
            "runuser -u runner -- ./run.sh",
            "",
        ]
        return lines.joined(separator: "\n")
    }

    /// EC2Launch PowerShell user data (runs once as LocalSystem at first boot): runs `run.cmd`
    /// with the JIT config in its environment, then shuts down whatever happened.
    static func windows(settings: EC2PoolSettings, jitConfig: String) -> String {
        let dir = powershellQuote(settings.runnerPath)
        var lines = [
            "<powershell>",
            "# Runway: one single-use GitHub Actions runner, then shut down.",
            "$ErrorActionPreference = 'Stop'",
            "try {",
            "  $RunnerDir = \(dir)",
        ]
        if let version = settings.runnerVersion {
            lines += [
                "  New-Item -ItemType Directory -Force -Path $RunnerDir | Out-Null",
                "  $Zip = Join-Path $env:TEMP 'actions-runner.zip'",
                "  Invoke-WebRequest -UseBasicParsing -Uri 'https://github.com/actions/runner/releases/download/v\(version)/actions-runner-win-x64-\(version).zip' -OutFile $Zip",
                "  Expand-Archive -Path $Zip -DestinationPath $RunnerDir -Force",
                "  Remove-Item $Zip",
            ]
        }
        lines += [
            "  Set-Location $RunnerDir",
            "  $env:ACTIONS_RUNNER_INPUT_JITCONFIG = '\(jitConfig)'",
            "  & (Join-Path $RunnerDir 'run.cmd')",
            "} finally {",
            "  shutdown.exe /s /t 0 /f",
            "}",
            "</powershell>",
            "",
        ]
        return lines.joined(separator: "\r\n")
    }

    static func shellQuote(_ s: String) -> String {
        "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    static func powershellQuote(_ s: String) -> String {
        "'" + s.replacingOccurrences(of: "'", with: "''") + "'"
    }

    static func isBase64(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { c in
            (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39)
                || c == UInt8(ascii: "+") || c == UInt8(ascii: "/") || c == UInt8(ascii: "=")
        }
    }

    static func isVersion(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ".") }
    }
}
