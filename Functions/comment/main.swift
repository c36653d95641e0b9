import FunctionCore
import GitfolioFunctions

await FunctionRunner.run("comment", handler: Functions.comment)
