import Foundation
import Testing
@testable import OrchestratorCore

@Suite struct EC2LaunchTests {
    @Test func ubuntuLaunchSendsExactlyTheRunnerParameters() async throws {
        let h = try Harness()
        let answer = try await h.service.launch(request())
        #expect(answer.runnerName == "runway-ec2-ubuntu-4242-1")
        #expect(answer.providerID == "i-00000000000000001")
        #expect(answer.detail == ["instance_type": "c7i.xlarge", "subnet_id": "subnet-aaa", "market": "spot", "image_id": "ami-0123456789abcdef0"])

        let sent = try #require(h.ec2.runRequests.first)
        #expect(h.ec2.runRequests.count == 1)
        let expectedTags = [
            EC2Tag("Name", "runway-ec2-ubuntu-4242-1"), EC2Tag("runway:installation", "77"), EC2Tag("runway:job", "4242"),
            EC2Tag("runway:owner", "octo-org"), EC2Tag("runway:pool", "ec2-ubuntu"), EC2Tag("runway:repository", "app"),
            EC2Tag("runway:runner", "runway-ec2-ubuntu-4242-1"), EC2Tag("runway:scope", "org"), EC2Tag("team", "ci"),
        ]
        let expected = EC2RunRequest(
            imageID: "ami-0123456789abcdef0", instanceType: "c7i.xlarge", subnetID: "subnet-aaa",
            securityGroupIDs: ["sg-111", "sg-222"], instanceProfile: "runway-runner", userData: sent.userData,
            tags: expectedTags, spot: true, rootVolumeGiB: 64, rootDeviceName: "/dev/sda1", metadataHopLimit: 1,
            clientToken: EC2Provider.clientToken(runnerName: "runway-ec2-ubuntu-4242-1", combination: 0),
            shutdownBehavior: "terminate")
        #expect(sent == expected)
        #expect(sent.clientToken.utf8.count <= 64)
        #expect(sent.clientToken.hasPrefix("runway-"))

        let jit = JITConfig.fake(101)
        #expect(sent.userData == """
            #!/bin/bash
            # Runway: one single-use GitHub Actions runner, then power off.
            set -euo pipefail
            trap 'shutdown -h now' EXIT
            RUNNER_DIR='/home/runner'
            id -u runner >/dev/null 2>&1 || useradd --create-home --shell /bin/bash runner
            chown -R runner:runner "$RUNNER_DIR"
            cd "$RUNNER_DIR"
            ACTIONS_RUNNER_INPUT_JITCONFIG='\(jit)'
            export ACTIONS_RUNNER_INPUT_JITCONFIG
            runuser -u runner -- ./run.sh

            """)
        // The JIT config is never on a command line.
        #expect(!sent.userData.contains("--jitconfig"))

        let generated = try #require(h.github.state.withLock { $0.generated.first })
        #expect(generated.name == "runway-ec2-ubuntu-4242-1")
        #expect(generated.labels == ["self-hosted", "linux", "ubuntu-runner", "x64"])
        #expect(generated.group == 3)
        #expect(generated.target == RunnerTarget(scope: .org, owner: "octo-org", repository: "app", enterprise: nil, installationID: 77))
    }

    @Test func windowsLaunchRunsRunCmdFromPowerShellAndDownloadsTheRunner() async throws {
        let h = try Harness()
        _ = try await h.service.launch(request(pool: "ec2-windows"))
        let sent = try #require(h.ec2.runRequests.first)
        #expect(sent.spot == false)
        #expect(sent.instanceProfile == nil)
        #expect(sent.rootVolumeGiB == nil)
        #expect(sent.tags.contains(EC2Tag("runway:scope", "repo")))
        let jit = JITConfig.fake(101)
        let expected = [
            "<powershell>",
            "# Runway: one single-use GitHub Actions runner, then shut down.",
            "$ErrorActionPreference = 'Stop'",
            "try {",
            "  $RunnerDir = 'C:\\actions-runner'",
            "  New-Item -ItemType Directory -Force -Path $RunnerDir | Out-Null",
            "  $Zip = Join-Path $env:TEMP 'actions-runner.zip'",
            "  Invoke-WebRequest -UseBasicParsing -Uri 'https://github.com/actions/runner/releases/download/v2.321.0/actions-runner-win-x64-2.321.0.zip' -OutFile $Zip",
            "  Expand-Archive -Path $Zip -DestinationPath $RunnerDir -Force",
            "  Remove-Item $Zip",
            "  Set-Location $RunnerDir",
            "  $env:ACTIONS_RUNNER_INPUT_JITCONFIG = '\(jit)'",
            "  & (Join-Path $RunnerDir 'run.cmd')",
            "} finally {",
            "  shutdown.exe /s /t 0 /f",
            "}",
            "</powershell>",
            "",
        ].joined(separator: "\r\n")
        #expect(sent.userData == expected)
    }

    @Test func ubuntuDownloadVariantFetchesTheConfiguredVersion() throws {
        var settings = try #require(testPools()[0].ec2)
        settings.runnerVersion = "2.321.0"
        settings.runnerPath = "/opt/it's runner"
        let script = try EC2UserData.render(os: .ubuntu, settings: settings, jitConfig: JITConfig(runnerID: 1, encoded: "QUJD"))
        #expect(script.contains("RUNNER_DIR='/opt/it'\\''s runner'"))
        #expect(script.contains(
            "curl -fsSL --retry 5 -o /tmp/actions-runner.tar.gz \"https://github.com/actions/runner/releases/download/v2.321.0/actions-runner-linux-${ARCH}-2.321.0.tar.gz\""))
        #expect(script.contains("\"$RUNNER_DIR/bin/installdependencies.sh\""))
        #expect(throws: EC2UserData.RenderError.self) {
            try EC2UserData.render(os: .ubuntu, settings: settings, jitConfig: JITConfig(runnerID: 1, encoded: "x'; rm -rf /"))
        }
        settings.runnerVersion = "2.3; reboot"
        #expect(throws: EC2UserData.RenderError.self) {
            try EC2UserData.render(os: .ubuntu, settings: settings, jitConfig: JITConfig(runnerID: 1, encoded: "QUJD"))
        }
    }

    @Test func capacityFallbackTriesTypesThenSubnetsThenOnDemand() async throws {
        let ec2 = FakeEC2()
        ec2.state.withLock { $0.capacityRefusals = ["spot/c7i.xlarge", "spot/m7i.xlarge", "on-demand/c7i.xlarge/subnet-aaa"] }
        let h = try Harness(ec2: ec2)
        let answer = try await h.service.launch(request())
        let tried = ec2.runRequests.map { "\($0.spot ? "spot" : "on-demand")/\($0.instanceType)/\($0.subnetID ?? "-")" }
        #expect(tried == [
            "spot/c7i.xlarge/subnet-aaa", "spot/m7i.xlarge/subnet-aaa", "spot/c7i.xlarge/subnet-bbb", "spot/m7i.xlarge/subnet-bbb",
            "on-demand/c7i.xlarge/subnet-aaa", "on-demand/m7i.xlarge/subnet-aaa",
        ])
        #expect(answer.detail["market"] == "on-demand")
        #expect(answer.detail["instance_type"] == "m7i.xlarge")
        #expect(answer.detail["subnet_id"] == "subnet-aaa")
        // Each combination is a distinct idempotent request.
        #expect(Set(ec2.runRequests.map(\.clientToken)).count == 6)
        #expect(ec2.instances.count == 1)
    }

    @Test func noCapacityAnywhereIs503AndTheRegistrationIsRemoved() async throws {
        let ec2 = FakeEC2()
        ec2.state.withLock { $0.capacityRefusals = ["spot/c7i.xlarge", "spot/m7i.xlarge", "on-demand/c7i.xlarge", "on-demand/m7i.xlarge"] }
        let h = try Harness(ec2: ec2)
        let error = await #expect(throws: OrchestratorError.self) { try await h.service.launch(request()) }
        #expect(error?.status == 503)
        #expect(error?.code == "InsufficientInstanceCapacity")
        #expect(error?.httpError.headers["Retry-After"] == "30")
        #expect(ec2.runRequests.count == 8)
        #expect(h.github.deleted == [101])
    }

    @Test func throttlingIsRetriedWithinTheBudget() async throws {
        let ec2 = FakeEC2()
        ec2.state.withLock { $0.runErrors = [EC2CallError(code: "RequestLimitExceeded", message: "slow down", httpStatus: 503)] }
        let h = try Harness(ec2: ec2)
        let answer = try await h.service.launch(request())
        #expect(answer.providerID == "i-00000000000000001")
        #expect(ec2.runRequests.count == 2)
        #expect(ec2.runRequests[0].clientToken == ec2.runRequests[1].clientToken)
    }

    @Test func throttlingBeyondTheBudgetIs503WithRetryAfter() async throws {
        let ec2 = FakeEC2()
        ec2.state.withLock { $0.runErrors = Array(repeating: EC2CallError(code: "RequestLimitExceeded", message: "slow down", httpStatus: 503), count: 10) }
        let h = try Harness(ec2: ec2)
        let error = await #expect(throws: OrchestratorError.self) { try await h.service.launch(request()) }
        #expect(error?.status == 503)
        #expect(error?.code == "RequestLimitExceeded")
        #expect(error?.httpError.headers["Retry-After"] == "10")
        #expect(ec2.runRequests.count == 4)
        // EC2 launched nothing: the registration goes too, or a job cancelled before any retry
        // would leave it registered at GitHub (found by the fault test).
        #expect(h.github.deleted == [101])
    }

    @Test func aFailureAfterWhichAnInstanceMayExistKeepsTheRegistrationForTheRetry() async throws {
        let ec2 = FakeEC2()
        ec2.state.withLock { $0.runErrors = Array(repeating: EC2CallError(code: "InternalError", message: "try again", httpStatus: 500), count: 10) }
        let h = try Harness(ec2: ec2)
        let error = await #expect(throws: OrchestratorError.self) { try await h.service.launch(request()) }
        #expect(error?.status == 503)
        #expect(error?.nothingLaunched == false)
        #expect(h.github.deleted.isEmpty, "the retry, under the same name and ClientToken, adopts what may have started")
    }

    @Test(arguments: ["InvalidAMIID.NotFound", "UnauthorizedOperation", "InvalidParameterValue", "VcpuLimitExceeded"])
    func permanentErrorsAre422WithTheAWSCode(code: String) async throws {
        let ec2 = FakeEC2()
        ec2.state.withLock { $0.runErrors = [EC2CallError(code: code, message: "refused", httpStatus: 400)] }
        let h = try Harness(ec2: ec2)
        let error = await #expect(throws: OrchestratorError.self) { try await h.service.launch(request()) }
        #expect(error?.status == 422)
        #expect(error?.code == code)
        #expect(ec2.runRequests.count == 1)
        #expect(h.github.deleted == [101])
    }

    @Test func githubDownIs503AndNothingIsLaunched() async throws {
        let h = try Harness()
        h.github.setDown(true)
        let error = await #expect(throws: OrchestratorError.self) { try await h.service.launch(request()) }
        #expect(error?.status == 503)
        #expect(error?.code == "github_unavailable")
        #expect(h.ec2.runRequests.isEmpty)
    }
}
