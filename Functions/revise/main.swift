import FunctionRuntime
import GitfolioFunctions
import GitfolioHTTP

await FunctionMain.run("revise", handler: Functions.revise(transport: { URLSessionTransport(timeout: 60) }))
