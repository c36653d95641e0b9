import FunctionRuntime
import GitfolioFunctions

await FunctionMain.run("me", handler: Functions.me)
