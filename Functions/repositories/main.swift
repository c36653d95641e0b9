import FunctionCore
import GitfolioFunctions
import GitfolioHTTP

await FunctionRunner.run("repositories", handler: Functions.repositories(transport: { URLSessionTransport() }))
