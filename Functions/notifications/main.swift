import FunctionCore
import GitfolioFunctions

await FunctionRunner.run("notifications", handler: Functions.notifications)
