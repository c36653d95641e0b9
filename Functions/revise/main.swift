import FunctionCore
import GitfolioFunctions
import GitfolioHTTP

await FunctionRunner.run("revise", handler: Functions.revise(transport: { URLSessionTransport(timeout: 60) }))
