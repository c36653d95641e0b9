import FunctionRuntime
import GitfolioFunctions
import GitfolioHTTP

await FunctionMain.run("auth-callback", handler: Functions.authCallback(transport: { URLSessionTransport() }))
