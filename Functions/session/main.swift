import FunctionCore
import SessionFunction

// Built without Foundation: see `SessionFunction`.
FunctionRunner.run("session", handler: SessionFunction.live())
