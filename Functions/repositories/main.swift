import FunctionRuntime
import GitfolioFunctions
import GitfolioHTTP

await FunctionMain.run("repositories", handler: Functions.repositories(transport: { URLSessionTransport() }))
