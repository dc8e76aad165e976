// The whole Kinesis integration suite once more, with PutRecords written and signed by kprod
// (--kinesis-client http) instead of the AWS SDK: every kprod child inherits KPROD_KINESIS_CLIENT
// from this process, so each proof (byte-exact round trips on kinesalite and kinesis-mock, partial
// failures, 500s, dropped connections, an endpoint outage, --flush-timeout) holds for both.

process.env.KPROD_KINESIS_CLIENT = 'http'

await import('./kinesis-cli.test.ts')
await import('./kinesis-cli-faults.test.ts')
await import('./kinesis-flush-timeout.test.ts')
