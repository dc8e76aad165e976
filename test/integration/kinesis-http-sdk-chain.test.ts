// --kinesis-client http when the AWS SDK must find the credentials (here a profile in a shared
// credentials file, which kprod does not read): PutRecords is still kprod's, DescribeStreamSummary
// and ListShards go through the SDK. The main CLI suite once more on both emulators, that way;
// kinesis-http-client.test.ts runs the whole suite the way that never loads the SDK.

process.env.KPROD_KINESIS_CLIENT = 'http'
process.env.KPROD_TEST_AWS_CHAIN = 'profile'

await import('./kinesis-cli.test.ts')
