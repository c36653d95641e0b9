import FunctionRuntime
import GitfolioFunctions

await FunctionMain.run("login", handler: Functions.login)
