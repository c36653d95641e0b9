import FunctionCore
import HubFunctions

// Built without Foundation: see `ViewFunction`.
let environment = processEnvironment()
FunctionRunner.run("view", environment: environment, handler: ViewFunction.live(environment: environment))
