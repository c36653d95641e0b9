import FunctionRuntime
import GitfolioFunctions
import RenderFunctions

await FunctionMain.run("resume", handler: Functions.resume)
