import FunctionCore
import RenderFunctions

await FunctionRunner.run("resume", handler: ResumeFunction.live)
