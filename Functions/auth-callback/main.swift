import FunctionCore
import GitfolioFunctions
import GitfolioHTTP

await FunctionRunner.run("auth-callback", handler: Functions.authCallback(transport: { URLSessionTransport() }))
