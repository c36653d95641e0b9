import FunctionCore
import GitfolioFunctions
import GitfolioHTTP

await FunctionRunner.run("generate", handler: Functions.generate(transport: { URLSessionTransport() }))
