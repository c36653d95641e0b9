import FunctionCore
import HubFunctions

// Built without Foundation: see `LikeFunction`.
let environment = processEnvironment()
FunctionRunner.run("like", environment: environment, handler: LikeFunction.live(environment: environment))
