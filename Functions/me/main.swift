import FunctionCore
import GitfolioFunctions

await FunctionRunner.run("me", handler: Functions.me)
