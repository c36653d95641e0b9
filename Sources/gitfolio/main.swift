import GitfolioCLI

await GitfolioCommand.runFromCommandLine()
