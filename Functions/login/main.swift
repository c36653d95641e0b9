import FunctionRuntime
import GitfolioFunctions
import GitfolioHTTP

await FunctionMain.run("login", handler: Functions.login(transport: { URLSessionTransport() }))
