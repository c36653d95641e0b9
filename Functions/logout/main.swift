import FunctionRuntime
import GitfolioFunctions

await FunctionMain.run("logout", handler: Functions.logout)
