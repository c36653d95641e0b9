import FunctionCore
import SessionFunction

// Built without Foundation: see `SessionFunction`.
let environment = processEnvironment()
FunctionRunner.run("session", environment: environment, handler: SessionFunction.live(environment: environment))
