import FunctionCore
import GitfolioFunctions
import GitfolioHTTP

await FunctionRunner.run("me", handler: Functions.me(transport: { URLSessionTransport() }))
