import FunctionCore
import GitfolioFunctions
import GitfolioHTTP

await FunctionRunner.run("login", handler: Functions.login(transport: { URLSessionTransport() }))
