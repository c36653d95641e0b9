import FunctionRuntime
import GitfolioFunctions

await FunctionMain.run("auth-callback", handler: Functions.authCallback)
