import FunctionCore
import GitfolioFunctions
import GitfolioHTTP

await FunctionRunner.run("subscription", handler: Functions.subscription(transport: { URLSessionTransport() }))
