import FunctionCore
import GitfolioFunctions

await FunctionRunner.run("logout", handler: Functions.logout)
