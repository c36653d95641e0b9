import FunctionRuntime
import GitfolioFunctions
import GitfolioHTTP

await FunctionMain.run("generate", handler: Functions.generate(transport: { URLSessionTransport() }))
