// The whole Kinesis integration suite once more, with every call written and signed by kprod
// (--kinesis-client http, credentials and region from the environment, the AWS SDK never loaded):
// every kprod child inherits KPROD_KINESIS_CLIENT from this process, so each proof (byte-exact
// round trips on kinesalite and kinesis-mock, partial failures, 500s, dropped connections, an
// endpoint outage, --flush-timeout) holds for both clients. kinesis-http-sdk-chain.test.ts covers
// http with the SDK finding the credentials.

process.env.KPROD_KINESIS_CLIENT = 'http'

await import('./kinesis-cli.test.ts')
await import('./kinesis-cli-faults.test.ts')
await import('./kinesis-flush-timeout.test.ts')
