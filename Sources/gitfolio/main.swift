import GitfolioCLI

// `serve` starts function processes for as long as it runs: descriptors it inherited would count
// against its limit and, numbered past it, make every start fail. Nothing of this process is open
// yet, so what is above 2 goes, but for sockets (see Descriptors).
if CommandLine.arguments.dropFirst().first == "serve" { Descriptors.closeInherited() }

await GitfolioCommand.runFromCommandLine()
