#if canImport(Glibc)
import Glibc
#endif
import GitfolioCLI

// `serve` starts function processes for as long as it runs: descriptors it inherited would count
// against its limit and, numbered past it, make every start fail. Nothing of this process is open
// yet, so what is above 2 goes, but for sockets (see Descriptors).
if CommandLine.arguments.dropFirst().first == "serve" { Descriptors.closeInherited() }

// A child that exits early (git refusing a revision while its input is still being written) is a
// write error to handle, not a SIGPIPE that ends the command without a word.
signal(SIGPIPE, SIG_IGN)

await GitfolioCommand.runFromCommandLine()
