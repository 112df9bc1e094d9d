import AWS
import Foundation
import HTTPClient

// Signs a typical RunInstances request (the body botocore produces for a spot runner launch)
// for a fixed amount of process CPU time and prints signatures per CPU second (the machine is
// shared, so CPU time rather than wall time is compared with botocore's).
let seconds = Double(CommandLine.arguments.dropFirst().first ?? "") ?? 3
let body = Array("""
Action=RunInstances&Version=2016-11-15&ImageId=ami-0123456789abcdef0&InstanceType=c7i.xlarge&MinCount=1&MaxCount=1\
&SubnetId=subnet-0123456789abcdef0&SecurityGroupId.1=sg-0123456789abcdef0&UserData=IyEvYmluL2Jhc2gKZWNobyBoZWxsbwo%3D\
&IamInstanceProfile.Name=runner-profile&InstanceInitiatedShutdownBehavior=terminate&MetadataOptions.HttpTokens=required\
&MetadataOptions.HttpEndpoint=enabled&ClientToken=job-123456-attempt-1&InstanceMarketOptions.MarketType=spot\
&InstanceMarketOptions.SpotOptions.SpotInstanceType=one-time&InstanceMarketOptions.SpotOptions.InstanceInterruptionBehavior=terminate\
&TagSpecification.1.ResourceType=instance&TagSpecification.1.Tag.1.Key=runner-manager%2Fjob-id&TagSpecification.1.Tag.1.Value=123456\
&TagSpecification.1.Tag.2.Key=Name&TagSpecification.1.Tag.2.Value=gha-runner-123456
""".utf8)
let request = ClientRequest(method: "POST", url: "https://ec2.us-east-1.amazonaws.com/",
                            headers: ["Content-Type": "application/x-www-form-urlencoded; charset=utf-8"], body: body)
let credentials = AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
let signer = SigV4Signer(region: "us-east-1", service: "ec2")

func cpuSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

var count = 0
var sink = 0
let start = cpuSeconds()
var elapsed = 0.0
while elapsed < seconds {
    for _ in 0..<1000 {
        let signed = try signer.sign(request, credentials: credentials, date: Date())
        sink &+= signed.headers["Authorization"]?.utf8.count ?? 0
    }
    count += 1000
    elapsed = cpuSeconds() - start
}
print(String(format: "%.0f", Double(count) / elapsed) + (sink == 0 ? " (no output?)" : ""))

