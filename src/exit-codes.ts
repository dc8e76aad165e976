// The exit-code taxonomy users and CI scripts rely on (design.md promise 3), in one place: the
// pipeline decides the code, the CLI returns it, --help and the man page describe it.

export const EXIT_CODES = {
  ok: 0,
  internal: 1,
  usage: 2,
  connect: 3,
  partial: 4,
  sigint: 130,
  sigterm: 143
} as const

export const EXIT_CODE_HELP = `
Exit status:
  0    every line was delivered
  1    unexpected internal error
  2    usage or configuration error (bad flag, missing input file, unknown partition)
  3    cannot connect or authenticate, or the topic or stream does not exist, at start
  4    some lines were failed, unknown (maybe written), skipped or unsent
  130  interrupted by SIGINT, after draining
  143  interrupted by SIGTERM, after draining
`
